package lenet5.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's Prometheus metrics (prometheus-metrics-core 1.x, text exposition format): requests
 * by method, route template and status, a latency histogram by route, requests in flight, images
 * inferred per model, and the JVM's own (memory, GC, threads).
 */
final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests = Counter.builder().name("lenet5_http_requests_total")
            .help("HTTP requests by method, route and status").labelNames("method", "route", "status").register(registry);
    private final Histogram latency = Histogram.builder().name("lenet5_http_request_duration_seconds")
            .help("Time from the request's headers to its response, by route").labelNames("route").classicOnly()
            .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
            .register(registry);
    private final Gauge inFlight = Gauge.builder().name("lenet5_http_requests_in_flight")
            .help("HTTP requests being handled").register(registry);
    private final Counter images = Counter.builder().name("lenet5_inferences_total")
            .help("Images run through a model").labelNames("model").register(registry);

    Metrics() {
        JvmMetrics.builder().register(registry);
    }

    void started() {
        inFlight.inc();
    }

    void finished(String method, String route, int status, long nanos) {
        inFlight.dec();
        requests.labelValues(method, route, Integer.toString(status)).inc();
        latency.labelValues(route).observe(nanos / 1e9);
    }

    void inferred(String model, int n) {
        images.labelValues(model).inc(n);
    }

    String contentType() {
        return writer.getContentType();
    }

    byte[] scrape() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
            writer.write(out, registry.scrape());
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
