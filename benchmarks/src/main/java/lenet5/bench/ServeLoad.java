package lenet5.bench;

import lenet5.io.Idx;
import lenet5.testing.DigitImages;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded loopback load generator for {@code lenet5 serve} (not JMH: it measures a server in
 * another process). C keep-alive connections, one thread each, send N requests each, one at a time,
 * on raw HTTP/1.1 sockets (so the client costs little CPU next to the server), of one kind:
 * {@code infer} (OIP JSON, one 28x28 MNIST digit), {@code binary} (the same request with the OIP
 * binary tensor data extension: 3,136 bytes of float32 in, 40 out) or {@code image} (the digit as
 * a PNG upload).
 * Prints requests/s, latency p50/p99/p99.9, errors (any status but 200, or a broken connection), and
 * the server's memory from its /metrics. Stops after N requests per client or --max-seconds.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar lenet5.bench.ServeLoad --url http://127.0.0.1:18080/ --model lenet5_tanh --clients 32 --requests 20000 --kind infer</pre>
 */
public final class ServeLoad {
    private ServeLoad() {
    }

    public static void main(String[] args) throws Exception {
        String url = "http://127.0.0.1:8080/", model = "lenet5_tanh", kind = "infer";
        int clients = 32, requests = 20000;
        long maxSeconds = 300;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--model" -> model = args[i + 1];
                case "--kind" -> kind = args[i + 1];
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--requests" -> requests = Integer.parseInt(args[i + 1]);
                case "--max-seconds" -> maxSeconds = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --url --model --kind infer|binary|image --clients --requests --max-seconds");
            }
        }
        URI u = URI.create(url);
        byte[] request = request(u, model, kind);
        long[][] latencies = new long[clients][requests];
        int[] done = new int[clients];
        AtomicLong errors = new AtomicLong();
        long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
        Thread[] threads = new Thread[clients];
        // Warm-up: the server's JIT and pools, not measured.
        run(u, request, new long[Math.min(2000, requests)], new int[1], 0, new AtomicLong(), deadline);
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int id = c;
            threads[c] = new Thread(() -> run(u, request, latencies[id], done, id, errors, deadline), "client-" + c);
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int total = Arrays.stream(done).sum();
        long[] all = new long[total];
        int k = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(latencies[c], 0, all, k, done[c]);
            k += done[c];
        }
        Arrays.sort(all);
        System.out.printf(Locale.ROOT, "%s: %d clients x %d requests: %d done in %.2f s = %.0f requests/s; latency p50 %.3f ms, p99 %.3f ms, "
                        + "p99.9 %.3f ms, max %.3f ms; errors %d%n", kind, clients, requests, total, seconds, total / seconds,
                pct(all, 0.50), pct(all, 0.99), pct(all, 0.999), all.length == 0 ? 0 : all[all.length - 1] / 1e6, errors.get());
        System.out.println("server memory: " + serverMemory(u));
        if (errors.get() > 0) {
            System.exit(1);
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static byte[] request(URI u, String model, String kind) {
        Idx.Images digits = DigitImages.digits();
        byte[] body;
        String path, type, extra = "";
        if (kind.equals("binary")) {
            byte[] json = ("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],"
                    + "\"parameters\":{\"binary_data_size\":3136}}],\"parameters\":{\"binary_data_output\":true}}").getBytes(StandardCharsets.UTF_8);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(json.length + 3136).order(java.nio.ByteOrder.LITTLE_ENDIAN).put(json);
            for (int i = 0; i < 784; i++) {
                b.putFloat((digits.pixels()[i] & 0xff) / 255f);
            }
            body = b.array();
            path = "v2/models/" + model + "/infer";
            type = "application/octet-stream";
            extra = "Inference-Header-Content-Length: " + json.length + "\r\n";
        } else if (kind.equals("infer")) {
            StringBuilder sb = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":[");
            for (int i = 0; i < 784; i++) {
                sb.append(i == 0 ? "" : ",").append((digits.pixels()[i] & 0xff) / 255f);
            }
            body = sb.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
            path = "v2/models/" + model + "/infer";
            type = "application/json";
        } else if (kind.equals("image")) {
            body = DigitImages.BLACK_ON_WHITE.file(digits, 0);
            path = "v1/models/" + model + "/predict";
            type = "image/png";
        } else {
            throw new IllegalArgumentException("--kind must be infer, binary or image");
        }
        byte[] head = ("POST /" + path + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort() + "\r\nContent-Type: " + type
                + "\r\nContent-Length: " + body.length + "\r\n" + extra + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] r = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, r, head.length, body.length);
        return r;
    }

    /** One keep-alive connection sending requests one after another; reconnects after a broken connection. */
    private static void run(URI u, byte[] request, long[] latencies, int[] done, int id, AtomicLong errors, long deadline) {
        int n = 0;
        while (n < latencies.length && System.nanoTime() < deadline) {
            try (Socket s = new Socket(u.getHost(), u.getPort())) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
                while (n < latencies.length && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    out.write(request);
                    out.flush();
                    int status = readResponse(in);
                    latencies[n++] = System.nanoTime() - t0;
                    if (status != 200) {
                        errors.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                errors.incrementAndGet();
                n++;
            }
        }
        done[id] = Math.min(n, latencies.length);
    }

    /** Reads one response with a Content-Length body; returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int status = -1;
        long length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b == '\n') {
                String l = line.toString().trim();
                line.setLength(0);
                if (l.isEmpty()) {
                    break;
                }
                if (status < 0) {
                    status = Integer.parseInt(l.split(" ")[1]);
                } else if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Long.parseLong(l.substring(15).trim());
                }
            } else {
                line.append((char) b);
            }
        }
        in.skipNBytes(length);
        return status;
    }

    /** Heap and resident memory as the server reports them in /metrics. */
    private static String serverMemory(URI u) {
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder();
            for (String l : text.split("\n")) {
                if (l.startsWith("jvm_memory_used_bytes{area=\"heap\"}") || l.startsWith("process_resident_memory_bytes")
                        || l.startsWith("jvm_memory_max_bytes{area=\"heap\"}")) {
                    String[] p = l.split(" ");
                    sb.append(sb.length() == 0 ? "" : ", ").append(p[0]).append(String.format(Locale.ROOT, " %.1f MB", Double.parseDouble(p[1]) / 1e6));
                }
            }
            return sb.toString();
        } catch (IOException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
