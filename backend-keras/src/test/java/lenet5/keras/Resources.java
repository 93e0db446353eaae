package lenet5.keras;

import lenet5.model.Sequential;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test resources (src/test/resources). */
final class Resources {
    private Resources() {
    }

    static Path path(String name) {
        try {
            return Path.of(Resources.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing test resource " + name, e);
        }
    }

    /** A Keras JSON config read as an architecture (zero weights). */
    static Sequential architecture(String name) {
        return Fixtures.load(path(name));
    }
}
