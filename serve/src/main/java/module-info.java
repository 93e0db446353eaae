/** The lenet5 HTTP server: Open Inference Protocol v2 REST, image predict, the draw-a-digit page, metrics. */
@SuppressWarnings("module") // the name ends in a digit: it is the project's name
module lenet5.serve {
    requires transitive lenet5.core;
    requires org.eclipse.jetty.server;
    requires com.fasterxml.jackson.core;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.writer.text;
    requires io.prometheus.metrics.instrumentation.jvm;

    exports lenet5.serve;
}
