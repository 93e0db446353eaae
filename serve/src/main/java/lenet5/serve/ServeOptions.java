package lenet5.serve;

import lenet5.image.ImageDecoder;
import lenet5.image.Normalization;
import lenet5.image.Preprocess;

import java.time.Duration;

/**
 * How the server listens and what it accepts. The limits bound the memory a client can make the
 * server use: at most {@code maxConcurrent} requests run at once (more get 503 with Retry-After),
 * each reading at most {@code maxBodyBytes} (more gets 413); at most {@code decodeConcurrency}
 * images of at most {@code maxPixels} are decoded at once; a JSON batch holds at most
 * {@code maxBatch} images.
 *
 * @param idleTimeout a connection with no traffic for this long is closed (slow or stalled clients)
 * @param stopTimeout on shutdown, how long requests in flight get to finish
 */
public record ServeOptions(String host, int port, long maxBodyBytes, int maxConcurrent, int maxBatch, long maxPixels,
                           int decodeConcurrency, Duration idleTimeout, Duration stopTimeout,
                           Preprocess preprocess, Normalization normalization) {
    public static final ServeOptions DEFAULTS = new ServeOptions("127.0.0.1", 8080, 4L << 20, 64, 1024, 4_000_000L,
            2, Duration.ofSeconds(30), Duration.ofSeconds(10), Preprocess.MNIST, Normalization.NONE);

    public ServeOptions {
        if (port < 0 || port > 65535 || maxBodyBytes < 1 || maxConcurrent < 1 || maxBatch < 1 || maxPixels < 1
                || maxPixels > ImageDecoder.DEFAULT_MAX_PIXELS || decodeConcurrency < 1) {
            throw new IllegalArgumentException("invalid server options: " + this);
        }
    }

    public ServeOptions withPort(int newPort) {
        return new ServeOptions(host, newPort, maxBodyBytes, maxConcurrent, maxBatch, maxPixels, decodeConcurrency,
                idleTimeout, stopTimeout, preprocess, normalization);
    }

    public ServeOptions withHost(String newHost) {
        return new ServeOptions(newHost, port, maxBodyBytes, maxConcurrent, maxBatch, maxPixels, decodeConcurrency,
                idleTimeout, stopTimeout, preprocess, normalization);
    }

    public ServeOptions withLimits(long newMaxBodyBytes, int newMaxConcurrent, int newMaxBatch) {
        return new ServeOptions(host, port, newMaxBodyBytes, newMaxConcurrent, newMaxBatch, maxPixels, decodeConcurrency,
                idleTimeout, stopTimeout, preprocess, normalization);
    }

    public ServeOptions withTimeouts(Duration newIdleTimeout, Duration newStopTimeout) {
        return new ServeOptions(host, port, maxBodyBytes, maxConcurrent, maxBatch, maxPixels, decodeConcurrency,
                newIdleTimeout, newStopTimeout, preprocess, normalization);
    }

    public ServeOptions withPreprocessing(Preprocess newPreprocess, Normalization newNormalization) {
        return new ServeOptions(host, port, maxBodyBytes, maxConcurrent, maxBatch, maxPixels, decodeConcurrency,
                idleTimeout, stopTimeout, newPreprocess, newNormalization);
    }
}
