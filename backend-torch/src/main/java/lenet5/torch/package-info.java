/**
 * The PyTorch backend: {@link lenet5.torch.TorchFormat} reads {@code torch.save} zip archives,
 * the legacy non-zip format and TorchScript archives, and writes state_dict and full-model
 * {@code .pt} files. Sub-packages by concern: {@code zip} (containers), {@code pickle} (a
 * restricted pickle machine and writer), {@code storage} (typed storages and strided views),
 * {@code nn} (module trees to canonical layers, architecture text).
 */
package lenet5.torch;
