package lenet5.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import lenet5.Lenet5Exception;
import lenet5.image.ImageDecoder;
import lenet5.image.ImagePreprocessor;
import lenet5.image.Preprocess;
import lenet5.model.TopClasses;
import lenet5.tensor.Shape;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The routes. Every answer is JSON except the page, its assets and /metrics; every refusal is a
 * 4xx (or 503 when saturated) with {@code {"error": "..."}}.
 * <pre>
 * GET  /v2/health/live, /v2/health/ready, /v2             server liveness, readiness, metadata
 * GET  /v2/models/{name}[/versions/1][/ready]            model metadata (inputs, outputs), readiness
 * POST /v2/models/{name}[/versions/1]/infer              OIP infer: JSON or binary tensors, batches included
 * GET  /v1/models                                        the served model names
 * POST /v1/models/{name}/predict[?preprocess=&amp;preview=]  an image body or multipart upload: class, probabilities
 * GET  /, /app.js, /app.css                              the draw-a-digit page
 * GET  /metrics                                          Prometheus text format
 * </pre>
 */
final class Api extends Handler.Abstract {
    private static final String JSON_TYPE = "application/json";
    private static final String BINARY_TYPE = "application/octet-stream";
    /** The binary tensor data extension's header: the length of the JSON before the binary data. */
    static final String INFERENCE_HEADER = "Inference-Header-Content-Length";
    private static final String VERSION = "1";

    private final Map<String, ServedModel> models;
    private final ServeOptions options;
    private final Metrics metrics = new Metrics();
    private final Semaphore inFlight;
    private final Semaphore decoding;
    private final Assets assets = new Assets();
    private volatile boolean ready = true;
    /** Runs inside the slot once an infer request's body is read: lets the tests hold a request in flight. */
    volatile Runnable inSlot = () -> { };

    Api(Map<String, ServedModel> models, ServeOptions options) {
        super(InvocationType.BLOCKING);
        this.models = models;
        this.options = options;
        this.inFlight = new Semaphore(options.maxConcurrent());
        this.decoding = new Semaphore(options.decodeConcurrency());
    }

    void shuttingDown() {
        ready = false;
    }

    /**
     * A reply: status, content type, body, Retry-After seconds (or 0), and the length of the JSON
     * that starts the body when binary tensor data follows it (or -1).
     */
    record Reply(int status, String type, byte[] body, int retryAfter, int jsonLength) {
        Reply(int status, String type, byte[] body, int retryAfter) {
            this(status, type, body, retryAfter, -1);
        }

        static Reply json(int status, byte[] body) {
            return new Reply(status, JSON_TYPE, body, 0);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = request.getHeadersNanoTime();
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        String[] parts = path == null ? new String[0] : path.substring(1).split("/", -1);
        String route = route(parts);
        metrics.started();
        Reply reply;
        try {
            reply = dispatch(request, method, parts, route);
        } catch (HttpError e) {
            reply = error(e.status, e.getMessage(), e.status == HttpStatus.SERVICE_UNAVAILABLE_503 ? 1 : 0);
        } catch (Lenet5Exception e) {
            reply = error(400, e.getMessage(), 0);
        } catch (RuntimeException | OutOfMemoryError e) {
            reply = error(500, "internal error: " + e, 0);
        }
        response.setStatus(reply.status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.type);
        if (reply.retryAfter > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(reply.retryAfter));
        }
        if (reply.jsonLength >= 0) {
            response.getHeaders().put(INFERENCE_HEADER, Integer.toString(reply.jsonLength));
        }
        metrics.finished(method, route, reply.status, System.nanoTime() - start);
        response.write(true, ByteBuffer.wrap(reply.body), callback);
        return true;
    }

    /** The route template for the metrics' label: a fixed, small set (never a client's text). */
    private static String route(String[] p) {
        String joined = String.join("/", p);
        if (p.length >= 3 && p[0].equals("v2") && p[1].equals("models")) {
            String tail = p.length >= 5 && p[3].equals("versions") ? String.join("/", java.util.Arrays.copyOfRange(p, 5, p.length))
                    : String.join("/", java.util.Arrays.copyOfRange(p, 3, p.length));
            return switch (tail) {
                case "" -> "/v2/models/{name}";
                case "ready" -> "/v2/models/{name}/ready";
                case "infer" -> "/v2/models/{name}/infer";
                default -> "other";
            };
        }
        if (p.length == 4 && p[0].equals("v1") && p[1].equals("models") && p[3].equals("predict")) {
            return "/v1/models/{name}/predict";
        }
        return switch (joined) {
            case "", "app.js", "app.css" -> "/" + joined;
            case "v2", "v2/health/live", "v2/health/ready", "v1/models", "metrics" -> "/" + joined;
            default -> "other";
        };
    }

    private Reply dispatch(Request request, String method, String[] p, String route) {
        boolean get = method.equals("GET") || method.equals("HEAD");
        if (route.equals("other")) {
            throw new HttpError(404, "no such resource: " + Errors.quote(String.join("/", p))
                    + " (see /v2/models/{name}, /v2/models/{name}/infer, /v1/models/{name}/predict, /metrics, /)");
        }
        switch (route) {
            case "/v2/models/{name}/infer", "/v1/models/{name}/predict" -> {
                requireMethod(method.equals("POST"), "POST");
                ServedModel model = model(p[2]);
                checkVersion(p);
                if (!inFlight.tryAcquire()) {
                    throw new HttpError(503, "the server is busy (" + options.maxConcurrent() + " requests in flight); retry shortly");
                }
                try {
                    return route.startsWith("/v2") ? infer(request, model) : predict(request, model);
                } finally {
                    inFlight.release();
                }
            }
            default -> {
                requireMethod(get, "GET");
            }
        }
        return switch (route) {
            case "/v2/health/live" -> Reply.json(200, bytes("{\"live\":true}"));
            case "/v2/health/ready" -> ready ? Reply.json(200, bytes("{\"ready\":true}"))
                    : error(503, "the server is shutting down", 0);
            case "/v2" -> json(200, g -> {
                g.writeStringField("name", "lenet5");
                g.writeStringField("version", version());
                g.writeArrayFieldStart("extensions");
                g.writeString("binary_tensor_data");
                g.writeString("classification");
                g.writeEndArray();
            });
            case "/v2/models/{name}" -> {
                checkVersion(p);
                yield metadata(model(p[2]));
            }
            case "/v2/models/{name}/ready" -> {
                checkVersion(p);
                ServedModel m = model(p[2]);
                yield json(200, g -> {
                    g.writeStringField("name", m.name());
                    g.writeBooleanField("ready", ready);
                });
            }
            case "/v1/models" -> json(200, g -> {
                g.writeArrayFieldStart("models");
                for (String name : models.keySet()) {
                    g.writeString(name);
                }
                g.writeEndArray();
            });
            case "/metrics" -> new Reply(200, metrics.contentType(), metrics.scrape(), 0);
            default -> assets.get(route);
        };
    }

    private static void requireMethod(boolean ok, String allowed) {
        if (!ok) {
            throw new HttpError(405, "method not allowed here; use " + allowed);
        }
    }

    private ServedModel model(String name) {
        ServedModel m = models.get(name);
        if (m == null) {
            throw new HttpError(404, "unknown model " + Errors.quote(name) + "; served: " + models.keySet());
        }
        return m;
    }

    private static void checkVersion(String[] p) {
        if (p.length >= 5 && p[3].equals("versions") && !p[4].equals(VERSION)) {
            throw new HttpError(404, "unknown model version " + Errors.quote(p[4]) + "; served: " + VERSION);
        }
    }

    private Reply metadata(ServedModel m) {
        Shape in = m.inputShape();
        return json(200, g -> {
            g.writeStringField("name", m.name());
            g.writeArrayFieldStart("versions");
            g.writeString(VERSION);
            g.writeEndArray();
            g.writeStringField("platform", "lenet5");
            g.writeArrayFieldStart("inputs");
            tensorMetadata(g, InferRequest.INPUT, new long[] {-1, in.channels(), in.height(), in.width()});
            g.writeEndArray();
            g.writeArrayFieldStart("outputs");
            tensorMetadata(g, InferRequest.OUTPUT, new long[] {-1, m.outputSize()});
            g.writeEndArray();
        });
    }

    private static void tensorMetadata(JsonGenerator g, String name, long[] shape) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("datatype", "FP32");
        g.writeArrayFieldStart("shape");
        for (long d : shape) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private Reply infer(Request request, ServedModel model) {
        InferRequest req;
        try (InputStream body = body(request)) {
            req = InferRequest.read(body, jsonLength(request), model.inputShape(), options.maxBatch());
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
        int k = model.outputSize();
        inSlot.run();
        float[] out = model.infer(req.nchw(), req.batch());
        metrics.inferred(model.name(), req.batch());
        if (req.classification() > 0) {
            // More classes than the model has: all of them, as Triton does.
            int count = Math.min(req.classification(), k);
            String[] classes = Classification.top(out, k, count);
            return inferReply(model, req, "BYTES", count, req.binaryOutput() ? BinaryTensor.bytes(classes) : null, g -> {
                for (String c : classes) {
                    g.writeString(c);
                }
            });
        }
        return inferReply(model, req, "FP32", k, req.binaryOutput() ? BinaryTensor.fp32(out) : null, g -> {
            for (float v : out) {
                g.writeNumber(v);
            }
        });
    }

    /**
     * The reply to an infer request: its one output, {@code [batch, columns]} of {@code datatype}, as
     * JSON values written by {@code data}, or as {@code binary} after the JSON when that is not null.
     */
    private static Reply inferReply(ServedModel model, InferRequest req, String datatype, int columns, byte[] binary, JsonBody data) {
        Reply reply = json(200, g -> {
            g.writeStringField("model_name", model.name());
            g.writeStringField("model_version", VERSION);
            if (req.id() != null) {
                g.writeStringField("id", req.id());
            }
            g.writeArrayFieldStart("outputs");
            g.writeStartObject();
            g.writeStringField("name", InferRequest.OUTPUT);
            g.writeStringField("datatype", datatype);
            g.writeArrayFieldStart("shape");
            g.writeNumber(req.batch());
            g.writeNumber(columns);
            g.writeEndArray();
            if (binary != null) {
                g.writeObjectFieldStart("parameters");
                g.writeNumberField("binary_data_size", binary.length);
                g.writeEndObject();
            } else {
                g.writeArrayFieldStart("data");
                data.write(g);
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndArray();
        });
        if (binary == null) {
            return reply;
        }
        byte[] body = Arrays.copyOf(reply.body, reply.body.length + binary.length);
        System.arraycopy(binary, 0, body, reply.body.length, binary.length);
        return new Reply(200, BINARY_TYPE, body, 0, reply.body.length);
    }

    /** The Inference-Header-Content-Length header, or -1 without one; refused unless a length within the body. */
    private long jsonLength(Request request) {
        String value = request.getHeaders().get(INFERENCE_HEADER);
        if (value == null) {
            return -1;
        }
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new HttpError(400, INFERENCE_HEADER + " " + Errors.quote(value) + " is not a byte count");
        }
        InferRequest.expect(n >= 0 && n <= options.maxBodyBytes(), INFERENCE_HEADER + " " + n + " is not between 0 and the body limit of "
                + options.maxBodyBytes() + " bytes");
        return n;
    }

    private Reply predict(Request request, ServedModel model) {
        Fields query = Request.extractQueryParameters(request);
        ImagePreprocessor pre = model.preprocessor();
        String mode = query.getValue("preprocess");
        if (mode != null) {
            try {
                pre = pre.withMode(Preprocess.parse(mode));
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, e.getMessage());
            }
        }
        boolean preview = "true".equals(query.getValue("preview")) || "1".equals(query.getValue("preview"));
        byte[] body = readAll(request);
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            body = Multipart.firstFile(body, type);
        }
        InferRequest.expect(body.length > 0, "the request has no image; send the image file as the body or as a multipart upload");
        try {
            if (!decoding.tryAcquire(5, TimeUnit.SECONDS)) {
                throw new HttpError(503, "the server is busy decoding images; retry shortly");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "the server is stopping");
        }
        float[] pixels;
        try {
            BufferedImage image = ImageDecoder.read(body, options.maxPixels());
            pixels = pre.pixels(image);
        } finally {
            decoding.release();
        }
        float[] plane = pixels;
        Shape in = pre.input();
        float[] input = new float[pre.size()];
        for (int c = 0; c < pre.input().channels(); c++) {
            System.arraycopy(pixels, 0, input, c * pixels.length, pixels.length);
        }
        pre.normalization().apply(input, 0, input.length);
        float[] out = model.infer(input, 1);
        metrics.inferred(model.name(), 1);
        TopClasses top = TopClasses.of(out, 0, out.length, 3, false);
        return json(200, g -> {
            g.writeStringField("model", model.name());
            g.writeNumberField("class", top.best());
            g.writeNumberField("probability", top.score());
            g.writeArrayFieldStart("probabilities");
            for (float v : out) {
                g.writeNumber(v);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("top3");
            for (int t = 0; t < top.classes().length; t++) {
                g.writeStartObject();
                g.writeNumberField("class", top.classes()[t]);
                g.writeNumberField("probability", top.scores()[t]);
                g.writeEndObject();
            }
            g.writeEndArray();
            if (preview) {
                g.writeArrayFieldStart("preview_shape");
                g.writeNumber(in.height());
                g.writeNumber(in.width());
                g.writeEndArray();
                g.writeArrayFieldStart("preview");
                for (float v : plane) {
                    g.writeNumber(Math.round(Math.max(0, Math.min(1, v)) * 255));
                }
                g.writeEndArray();
            }
        });
    }

    /** The body as a stream that refuses (413) to go past the limit; a declared Content-Length over it is refused at once. */
    private InputStream body(Request request) {
        String encoding = request.getHeaders().get(HttpHeader.CONTENT_ENCODING);
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            // Compressed bodies would need their own inflated-size limit; a clear refusal instead of "malformed JSON".
            throw new HttpError(415, "Content-Encoding " + Errors.quote(encoding) + " is not supported; send the body uncompressed");
        }
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > options.maxBodyBytes()) {
            throw tooLarge();
        }
        return new LimitedInputStream(Request.asInputStream(request), options.maxBodyBytes(), this::tooLarge);
    }

    private byte[] readAll(Request request) {
        try (InputStream in = body(request)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw e.getCause() instanceof HttpError h ? h : new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
    }

    private HttpError tooLarge() {
        return new HttpError(413, "the request body is larger than the limit of " + options.maxBodyBytes() + " bytes");
    }

    interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    private static Reply json(int status, JsonBody body) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(512);
            try (JsonGenerator g = InferRequest.JSON.createGenerator(out)) {
                g.writeStartObject();
                body.write(g);
                g.writeEndObject();
            }
            return Reply.json(status, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Reply error(int status, String message, int retryAfter) {
        Reply r = json(status, g -> g.writeStringField("error", message));
        return new Reply(status, JSON_TYPE, r.body, retryAfter);
    }

    /** Jetty's own refusals (bad request line, headers too large, shutting down) as JSON errors too. */
    boolean handleJettyError(Request request, Response response, Callback callback) {
        Object status = request.getAttribute(ErrorHandler.ERROR_STATUS);
        Object message = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
        int code = status instanceof Integer i ? i : response.getStatus();
        String text = message != null ? message.toString() : HttpStatus.getMessage(code);
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON_TYPE);
        if (code == 503) {
            response.getHeaders().put(new HttpField(HttpHeader.RETRY_AFTER, "1"));
        }
        response.write(true, ByteBuffer.wrap(error(code, text, 0).body), callback);
        return true;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String version() {
        String v = Api.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }
}
