/**
 * From {@code torch.nn} modules to canonical layers and back: module trees from full-model
 * pickles and TorchScript code, binding of state_dicts, PyTorch's constructor syntax
 * ({@link lenet5.torch.nn.TorchSyntax}) and the module list a model is written as ({@link lenet5.torch.nn.TorchExport}).
 */
package lenet5.torch.nn;
