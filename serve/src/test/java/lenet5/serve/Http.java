package lenet5.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A real HTTP client (the JDK's) against a real server on a loopback port, and raw sockets for what it cannot do. */
record Http(String base, HttpClient client) {
    static final ObjectMapper JSON = new ObjectMapper();

    static Http to(ModelServer server) {
        return new Http(server.url(), HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build());
    }

    record Reply(int status, String type, String body, HttpResponse<byte[]> raw) {
        JsonNode json() {
            return parse(body.getBytes(StandardCharsets.UTF_8));
        }
    }

    static JsonNode parse(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(json, StandardCharsets.UTF_8), e);
        }
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** {@code headers}: more header names and values, alternating. */
    Reply post(String path, byte[] body, String type, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", type);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    Reply post(String path, String json) {
        return post(path, json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /** Sent on the client's own threads: for a request that is to stay in flight while the test goes on. */
    CompletableFuture<Reply> postAsync(String path, String json) {
        return client.sendAsync(request(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))), HttpResponse.BodyHandlers.ofByteArray()).thenApply(Http::reply);
    }

    private Reply send(HttpRequest.Builder b) {
        try {
            return reply(client.send(request(b), HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static HttpRequest request(HttpRequest.Builder b) {
        return b.timeout(Duration.ofSeconds(60)).build();
    }

    private static Reply reply(HttpResponse<byte[]> r) {
        return new Reply(r.statusCode(), r.headers().firstValue("content-type").orElse(""), new String(r.body(), StandardCharsets.UTF_8), r);
    }

    /** An OIP infer body for {@code n} images of {@code values} each, in the given shape. */
    static String inferBody(float[] data, long... shape) {
        StringBuilder sb = new StringBuilder("{\"id\":\"t1\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ",").append(shape[i]);
        }
        sb.append("],\"data\":[");
        for (int i = 0; i < data.length; i++) {
            sb.append(i == 0 ? "" : ",").append(data[i]);
        }
        return sb.append("]}]}").toString();
    }

    /** A raw connection: for keep-alive, slow bodies and requests a client library would not send. */
    static final class Raw implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;

        Raw(ModelServer server) throws IOException {
            socket = new Socket("127.0.0.1", server.port());
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        }

        void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Reads one response (status line, headers, Content-Length body); returns "STATUS\nHEADERS\n\nBODY". */
        String response() throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed after: " + head);
                }
                head.append((char) b);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] body = in.readNBytes(length);
            return head + new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
