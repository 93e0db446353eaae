package lenet5.serve;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves models over HTTP (Jetty 12): the Open Inference Protocol v2 REST API, image prediction,
 * the draw-a-digit page and Prometheus metrics; see {@link Api} for the routes.
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.start(List.of(new ServedModel("lenet5", model, Preprocess.MNIST, Normalization.NONE)),
 *                                             ServeOptions.DEFAULTS)) {
 *     server.join();
 * }
 * }</pre>
 *
 * {@link #close()} stops gracefully: the port stops accepting, requests in flight finish (up to
 * the stop timeout), then the threads end. With {@code stopOnSignal}, SIGTERM/SIGINT do the same.
 */
public final class ModelServer implements AutoCloseable {
    private final Server jetty;
    private final ServerConnector connector;
    private final Api api;
    private final Map<String, ServedModel> models;

    private ModelServer(List<ServedModel> list, ServeOptions options, boolean stopOnSignal) {
        models = new LinkedHashMap<>();
        for (ServedModel m : list) {
            if (models.put(m.name(), m) != null) {
                throw new IllegalArgumentException("two models are named '" + m.name() + "'");
            }
        }
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no models to serve");
        }
        // Threads: enough for every request allowed in flight plus Jetty's acceptor and selector; beyond
        // maxConcurrent, requests are answered 503 at once rather than queued.
        QueuedThreadPool pool = new QueuedThreadPool(options.maxConcurrent() + 16, 4);
        pool.setName("lenet5-serve");
        jetty = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        // A request with a body reaches the handler (a thread, and for infer/predict one of the maxConcurrent
        // slots, which is taken before the body is read so that bodies in memory stay bounded) only once its first
        // body bytes have arrived: a client that sends headers and then stalls holds neither. A client that asks
        // for 100 Continue is dispatched at once and gets the 503 before it sends its body.
        http.setDelayDispatchUntilContent(true);
        connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(options.idleTimeout().toMillis());
        jetty.addConnector(connector);
        api = new Api(models, options);
        jetty.setHandler(new GracefulHandler(api));
        jetty.setErrorHandler(api::handleJettyError);
        jetty.setStopTimeout(options.stopTimeout().toMillis());
        jetty.setStopAtShutdown(stopOnSignal);
    }

    /** Starts serving; returns once the port is bound. */
    public static ModelServer start(List<ServedModel> models, ServeOptions options) {
        return start(models, options, false);
    }

    /** Starts serving; with {@code stopOnSignal}, a JVM shutdown (SIGTERM, SIGINT) stops the server gracefully. */
    public static ModelServer start(List<ServedModel> models, ServeOptions options, boolean stopOnSignal) {
        ModelServer s = new ModelServer(models, options, stopOnSignal);
        try {
            s.jetty.start();
        } catch (Exception e) {
            s.close();
            throw new lenet5.Lenet5Exception("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage());
        }
        return s;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public String url() {
        String host = connector.getHost();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/";
    }

    public Map<String, ServedModel> models() {
        return models;
    }

    /** For tests: runs {@code hook} in each infer request once its body is read, holding its slot. */
    void holdInSlot(Runnable hook) {
        api.inSlot = hook;
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    @Override
    public void close() {
        api.shuttingDown();
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new lenet5.Lenet5Exception("stopping the server: " + e.getMessage());
        } finally {
            models.values().forEach(ServedModel::close);
        }
    }
}
