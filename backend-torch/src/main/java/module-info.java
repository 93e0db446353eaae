/** Reads and writes PyTorch files (.pt, .pth: zip, legacy and TorchScript containers); found through {@link lenet5.spi.ModelFormat}. */
@SuppressWarnings("module") // the name ends in a digit: it is the project's name
module lenet5.torch {
    requires lenet5.core;

    provides lenet5.spi.ModelFormat with lenet5.torch.TorchFormat;
}
