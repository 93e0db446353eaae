package lenet5.spi;

import java.nio.file.Path;

/**
 * A text file a backend writes next to a model file so that its framework can use it, e.g. the
 * PyTorch loader script next to a state_dict {@code .pt}.
 *
 * @param file        where it goes
 * @param description what it is, for messages, e.g. {@code "the matching torch.nn.Sequential; run it to load the weights"}
 */
public record Companion(Path file, String description) {
}
