/**
 * Pickles as data: an {@link lenet5.torch.pickle.Unpickler} that never looks up or runs anything,
 * the allowlist that gives PyTorch's globals their meaning ({@link lenet5.torch.pickle.TorchPickleEnv}),
 * and a protocol-2 {@link lenet5.torch.pickle.PickleWriter}.
 */
package lenet5.torch.pickle;
