package lenet5.cli;

import lenet5.InvalidInputException;
import lenet5.image.ImageDecoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The files an IMAGE... argument list names: files as given, directories walked for image suffixes in path order. */
final class ImageFiles {
    private ImageFiles() {
    }

    static List<Path> expand(List<Path> args) {
        List<Path> files = new ArrayList<>();
        Set<String> suffixes = ImageDecoder.suffixes();
        for (Path p : args) {
            if (Files.isDirectory(p)) {
                // Files.walk does not follow symbolic links, so a link cannot lead the walk out of the directory.
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS) && ImageDecoder.hasImageSuffix(f, suffixes))
                            .sorted().forEach(files::add);
                } catch (IOException | UncheckedIOException e) {
                    throw new InvalidInputException(p, "cannot list the directory: " + e.getMessage());
                }
            } else if (Files.exists(p)) {
                files.add(p);
            } else {
                throw new InvalidInputException(p, "no such file or directory");
            }
        }
        if (files.isEmpty()) {
            throw new InvalidInputException("no image files in " + args + " (suffixes: " + String.join(", ", ImageDecoder.suffixes()) + ")");
        }
        return files;
    }
}
