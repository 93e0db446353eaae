/** The containers a PyTorch file comes in: zip archives (read with {@code ZipFile}, written aligned like torch.save) and the legacy pickle-stream format. */
package lenet5.torch.zip;
