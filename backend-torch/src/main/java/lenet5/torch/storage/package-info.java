/** Tensor storages and the strided views into them, checked against the file before anything is read, and copied out as float32. */
package lenet5.torch.storage;
