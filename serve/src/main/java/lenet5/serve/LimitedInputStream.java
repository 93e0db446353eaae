package lenet5.serve;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/** Reads at most {@code limit} bytes; one more fails with the given error (wrapped in an IOException for stream readers). */
final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private final Supplier<HttpError> error;
    private long count;

    LimitedInputStream(InputStream in, long limit, Supplier<HttpError> error) {
        super(in);
        this.limit = limit;
        this.error = error;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, (int) Math.min(len, limit - count + 1));
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) throws IOException {
        count += n;
        if (count > limit) {
            throw new IOException(error.get());
        }
    }
}
