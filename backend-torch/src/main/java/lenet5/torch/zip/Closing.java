package lenet5.torch.zip;

import java.io.Closeable;
import java.io.IOException;

/** Closing read-only resources: a failed close loses nothing, and must not hide the error that led to it. */
final class Closing {
    private Closing() {
    }

    static void quietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // read-only: nothing is lost
        }
    }
}
