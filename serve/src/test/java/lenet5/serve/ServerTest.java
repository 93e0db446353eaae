package lenet5.serve;

import com.fasterxml.jackson.databind.JsonNode;
import lenet5.image.Normalization;
import lenet5.image.Preprocess;
import lenet5.io.RawFloats;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.testing.DigitImages;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP API with a real client against a real server on a loopback port (the JVM runs with -Xmx256m). */
class ServerTest {
    static ModelServer server;
    static Http http;
    static Sequential tanh;

    @BeforeAll
    static void start() {
        tanh = TorchModels.load("lenet5_tanh");
        server = ModelServer.start(List.of(new ServedModel("lenet5_tanh", tanh, Preprocess.MNIST, Normalization.NONE),
                new ServedModel("odd", TorchModels.load("lenet5_odd"), Preprocess.MNIST, Normalization.NONE)),
                ServeOptions.DEFAULTS.withPort(0).withLimits(1 << 20, 8, 64));
        http = Http.to(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthAndMetadata() {
        assertEquals(200, http.get("v2/health/live").status());
        assertEquals(true, http.get("v2/health/ready").json().get("ready").asBoolean());
        assertEquals("lenet5", http.get("v2").json().get("name").asText());
        JsonNode meta = http.get("v2/models/odd").json();
        assertEquals("odd", meta.get("name").asText());
        assertEquals("[-1,3,32,30]", meta.get("inputs").get(0).get("shape").toString());
        assertEquals("FP32", meta.get("inputs").get(0).get("datatype").asText());
        assertEquals("[-1,10]", meta.get("outputs").get(0).get("shape").toString());
        assertEquals(200, http.get("v2/models/lenet5_tanh/versions/1").status());
        assertEquals(true, http.get("v2/models/lenet5_tanh/ready").json().get("ready").asBoolean());
        assertEquals("[\"lenet5_tanh\",\"odd\"]", http.get("v1/models").json().get("models").toString());
    }

    @Test
    void inferBatchesGivePyTorchsOutputs() {
        for (String name : new String[] {"lenet5_tanh", "odd"}) {
            String model = name.equals("odd") ? "lenet5_odd" : name;
            float[] inputs = TorchModels.inputs(model);
            float[] expected = RawFloats.read(TorchModels.torch().resolve(model + ".outputs.f32"));
            var shape = TorchModels.inputShape(model);
            Http.Reply r = http.post("v2/models/" + name + "/infer", Http.inferBody(inputs, 16, shape.channels(), shape.height(), shape.width()));
            assertEquals(200, r.status(), r.body());
            JsonNode out = r.json().get("outputs").get(0);
            assertEquals("t1", r.json().get("id").asText());
            assertEquals("[16,10]", out.get("shape").toString());
            float[] got = new float[160];
            for (int i = 0; i < 160; i++) {
                got[i] = out.get("data").get(i).floatValue();
            }
            // JSON carries the shortest decimal that reads back as the same float32: what the engine computed, exactly.
            TestFiles.assertClose(expected, got, 16, name.equals("odd") ? 1e-5 : 1e-6, name + " over OIP JSON vs PyTorch");
        }
    }

    @Test
    void inferAcceptsNhwcNestedAndSingleImages() {
        float[] nchw = TorchModels.inputs("lenet5_odd");
        float[] one = Arrays.copyOf(nchw, 3 * 32 * 30);
        float[] nhwc = lenet5.layout.WeightLayouts.nchwToNhwc(one, 1, lenet5.tensor.Shape.chw(3, 32, 30));
        JsonNode a = http.post("v2/models/odd/infer", Http.inferBody(one, 1, 3, 32, 30)).json().get("outputs").get(0).get("data");
        JsonNode b = http.post("v2/models/odd/infer", Http.inferBody(nhwc, 1, 32, 30, 3)).json().get("outputs").get(0).get("data");
        assertEquals(a, b);
        float[] digit = Arrays.copyOf(TorchModels.inputs("lenet5_tanh"), 784);
        StringBuilder nested = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP64\",\"shape\":[1,28,28],\"data\":[[");
        for (int y = 0; y < 28; y++) {
            nested.append(y == 0 ? "[" : ",[");
            for (int x = 0; x < 28; x++) {
                nested.append(x == 0 ? "" : ",").append(digit[y * 28 + x]);
            }
            nested.append("]");
        }
        nested.append("]]}],\"outputs\":[{\"name\":\"output\"}]}");
        Http.Reply r = http.post("v2/models/lenet5_tanh/infer", nested.toString());
        assertEquals(200, r.status(), r.body());
        try (Predictor p = tanh.newPredictor(lenet5.layout.Layout.NCHW)) {
            float[] want = p.predict(digit);
            for (int i = 0; i < 10; i++) {
                assertEquals(want[i], r.json().get("outputs").get(0).get("data").get(i).floatValue());
            }
        }
    }

    @Test
    void everyBadRequestIsA4xxJsonErrorAndTheServerGoesOn() throws Exception {
        String ok = Http.inferBody(new float[784], 1, 1, 28, 28);
        Object[][] cases = {
                {"v2/models/nope/infer", ok, 404, "unknown model 'nope'"},
                {"v2/models/lenet5_tanh/infer", "{\"inputs\": [", 400, "malformed JSON"},
                {"v2/models/lenet5_tanh/infer", "[1,2]", 400, "must be a JSON object"},
                {"v2/models/lenet5_tanh/infer", Http.inferBody(new float[784], 1, 1, 27, 29), 400, "does not match the model's [N, 1, 28, 28]"},
                {"v2/models/lenet5_tanh/infer", Http.inferBody(new float[700], 1, 1, 28, 28), 400, "holds 784 values, 'data' has 700"},
                {"v2/models/lenet5_tanh/infer", ok.replace("FP32", "BYTES"), 400, "datatype 'BYTES' is not numeric"},
                {"v2/models/lenet5_tanh/infer", ok.replace("[0.0,", "[NaN,"), 400, "malformed JSON"},
                {"v2/models/lenet5_tanh/infer", ok.replace("[0.0,", "[\"NaN\","), 400, "only numbers"},
                {"v2/models/lenet5_tanh/infer", ok.replace("[0.0,", "[1e39,"), 400, "not a finite float32"},
                {"v2/models/lenet5_tanh/infer", ok.replace("[1,1,28,28]", "[1000000000,1,28,28]"), 400, "batch size 1000000000 is not between 1 and the limit of 64"},
                {"v2/models/lenet5_tanh/infer", ok.replace("\"input\"", "\"x\""), 400, "unknown input 'x'"},
                {"v2/models/lenet5_tanh/infer", ok.replace("]}]}", "]}],\"outputs\":[{\"name\":\"probs\"}]}"), 400, "unknown output 'probs'"},
                {"v2/models/lenet5_tanh/infer", "{}", 400, "no inputs"},
                {"v2/models/lenet5_tanh/versions/7/infer", ok, 404, "unknown model version '7'"},
                {"v1/models/lenet5_tanh/predict", "hello", 400, "not an image"},
                {"v1/models/lenet5_tanh/predict", "", 400, "no image"},
                {"v2/nothing", "", 404, "no such resource"},
        };
        for (Object[] c : cases) {
            Http.Reply r = http.post((String) c[0], (String) c[1]);
            assertEquals(c[2], r.status(), c[0] + " " + r.body());
            assertTrue(r.type().startsWith("application/json"), r.type());
            assertTrue(r.json().get("error").asText().contains((String) c[3]), c[3] + " not in " + r.body());
        }
        // More values than the batch limit allows is refused while reading, before the array grows further.
        StringBuilder many = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < 65 * 784; i++) {
            many.append(i == 0 ? "0" : ",0");
        }
        many.append("],\"shape\":[65,1,28,28]}]}");
        Http.Reply tooMany = http.post("v2/models/lenet5_tanh/infer", many.toString());
        assertEquals(400, tooMany.status());
        assertTrue(tooMany.body().contains("more than 50176 values"), tooMany.body());

        byte[] png = DigitImages.BLACK_ON_WHITE.file(DigitImages.digits(), 0);
        Http.Reply truncated = http.post("v1/models/lenet5_tanh/predict", Arrays.copyOf(png, png.length / 2), "image/png");
        assertEquals(400, truncated.status());
        assertTrue(truncated.json().get("error").asText().startsWith("not a readable png image"), truncated.body());
        Http.Reply wrongMode = http.post("v1/models/lenet5_tanh/predict?preprocess=fancy", png, "image/png");
        assertEquals(400, wrongMode.status());
        assertEquals(405, http.get("v2/models/lenet5_tanh/infer").status());
        assertEquals(405, http.post("v2/health/live", "").status());

        // A decompression bomb: refused from its header.
        byte[] bomb = DigitImages.encode(new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_BYTE_GRAY), "png");
        java.nio.ByteBuffer.wrap(bomb).putInt(16, 30000).putInt(20, 30000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bomb, 12, 17);
        java.nio.ByteBuffer.wrap(bomb).putInt(29, (int) crc.getValue());
        Http.Reply b = http.post("v1/models/lenet5_tanh/predict", bomb, "image/png");
        assertEquals(400, b.status());
        assertTrue(b.body().contains("30000x30000"), b.body());

        // Over the body limit: 413, declared or streamed (chunked, no Content-Length).
        // Declared: refused from the header alone (a client still sending the body may see the connection
        // close before it reads the 413, so only the headers go out here).
        try (Http.Raw raw = new Http.Raw(server)) {
            raw.write("POST /v1/models/lenet5_tanh/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                    + "Content-Length: " + ((1 << 20) + 1) + "\r\n\r\n");
            String reply = raw.response();
            assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
            assertTrue(reply.contains("\"error\""), reply);
        }
        try (Http.Raw raw = new Http.Raw(server)) {
            raw.write("POST /v1/models/lenet5_tanh/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "x".repeat(1 << 16);
            String reply = "";
            for (int i = 0; i < 17 && reply.isEmpty(); i++) {
                try {
                    raw.write(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
                } catch (IOException e) {
                    break; // the server answered and closed
                }
            }
            reply = raw.response();
            assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
            assertTrue(reply.contains("\"error\""), reply);
        }
        // A malformed request line: Jetty's own refusal, also JSON.
        try (Http.Raw raw = new Http.Raw(server)) {
            raw.write("GARBAGE\r\n\r\n");
            String reply = raw.response();
            assertTrue(reply.startsWith("HTTP/1.1 400"), reply);
        }
        // Still serving.
        assertEquals(200, http.post("v2/models/lenet5_tanh/infer", ok).status());
        assertEquals(200, http.post("v1/models/lenet5_tanh/predict", png, "image/png").status());
    }

    @Test
    void imagePredictRawAndMultipartAgreeAndShowThePreview() throws IOException {
        byte[] png = DigitImages.UPSCALED_MARGINS.file(DigitImages.digits(), 4);
        JsonNode raw = http.post("v1/models/lenet5_tanh/predict?preview=true", png, "image/png").json();
        String boundary = "----lenet5boundary";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = new byte[head.length + png.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(png, 0, body, head.length, png.length);
        System.arraycopy(tail, 0, body, head.length + png.length, tail.length);
        JsonNode multi = http.post("v1/models/lenet5_tanh/predict", body, "multipart/form-data; boundary=" + boundary).json();
        assertEquals(DigitImages.labels()[4], raw.get("class").asInt());
        assertEquals(raw.get("probabilities"), multi.get("probabilities"));
        assertEquals(raw.get("class"), raw.get("top3").get(0).get("class"));
        assertEquals(784, raw.get("preview").size());
        assertEquals("[28,28]", raw.get("preview_shape").toString());
        assertTrue(multi.get("preview") == null);
        // A CMYK JPEG made by Pillow (testdata/images/cmyk), which the JDK's own JPEG reader refuses.
        byte[] cmyk = java.nio.file.Files.readAllBytes(TestFiles.testdata().resolve("images/cmyk/0005-0-k.jpg"));
        Http.Reply r = http.post("v1/models/lenet5_tanh/predict", cmyk, "image/jpeg");
        assertEquals(200, r.status(), r.body());
        assertEquals(0, r.json().get("class").asInt(), r.body());
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() throws Exception {
        try (Http.Raw raw = new Http.Raw(server)) {
            for (int i = 0; i < 5; i++) {
                raw.write("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
                String r = raw.response();
                assertTrue(r.startsWith("HTTP/1.1 200") && r.endsWith("{\"live\":true}"), r);
            }
        }
    }

    @Test
    void metricsInPrometheusTextFormat() {
        http.post("v2/models/lenet5_tanh/infer", Http.inferBody(new float[784], 1, 1, 28, 28));
        http.post("v2/models/nope/infer", "{}");
        Http.Reply m = http.get("metrics");
        assertEquals(200, m.status());
        assertTrue(m.type().startsWith("text/plain; version=0.0.4"), m.type());
        String text = m.body();
        for (String want : new String[] {
                "lenet5_http_requests_total{method=\"POST\",route=\"/v2/models/{name}/infer\",status=\"200\"}",
                "lenet5_http_requests_total{method=\"POST\",route=\"/v2/models/{name}/infer\",status=\"404\"}",
                "lenet5_http_request_duration_seconds_bucket{route=\"/v2/models/{name}/infer\",le=\"0.005\"}",
                "# TYPE lenet5_http_requests_in_flight gauge",
                "lenet5_inferences_total{model=\"lenet5_tanh\"}",
                "jvm_memory_used_bytes{area=\"heap\"}"}) {
            assertTrue(text.contains(want), want + " not in /metrics");
        }
    }

    /**
     * One slot: a request that holds it makes the next one a 503 with Retry-After; a graceful stop lets it finish.
     * The order is fixed by a latch, not by timing: the held request waits in its slot (after its body is read)
     * until the test lets it go. (A stalled body raced: a probe could take the slot before the stalled request,
     * which then got the 503; and on stop Jetty gives a connection with nothing in flight one second, cutting a
     * client that is silent for that long mid-body.)
     */
    @Test
    void saturatedServerAnswers503WithRetryAfterAndShutdownLetsInFlightRequestsFinish() throws Exception {
        ModelServer small = ModelServer.start(List.of(new ServedModel("m", tanh, Preprocess.MNIST, Normalization.NONE)),
                ServeOptions.DEFAULTS.withPort(0).withLimits(1 << 20, 1, 4).withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(20)));
        CountDownLatch inSlot = new CountDownLatch(1), release = new CountDownLatch(1);
        small.holdInSlot(() -> {
            inSlot.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Http client = Http.to(small);
        String body = Http.inferBody(new float[784], 1, 1, 28, 28);
        int port = small.port();
        try (Http.Raw idle = new Http.Raw(small)) {
            CompletableFuture<Http.Reply> held = client.postAsync("v2/models/m/infer", body);
            assertTrue(inSlot.await(30, TimeUnit.SECONDS), "the request reached its slot");

            Http.Reply busy = client.post("v2/models/m/infer", body);
            assertEquals(503, busy.status(), busy.body());
            assertEquals("1", busy.raw().headers().firstValue("retry-after").orElse(null));
            assertTrue(busy.json().get("error").asText().contains("busy"), busy.body());
            try (Http.Raw expect = new Http.Raw(small)) { // asked to, the server refuses before the body is sent
                expect.write("POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Expect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n");
                String refusal = expect.response();
                assertTrue(refusal.startsWith("HTTP/1.1 503") && refusal.contains("Retry-After: 1"), refusal);
            }
            assertEquals(200, client.get("v2/health/live").status(), "health is not limited");
            idle.write("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(idle.response().startsWith("HTTP/1.1 200"));

            // Graceful stop while the request is in flight. Once the stop has begun, an open idle connection is
            // refused: answered 503 or closed. The request in flight still completes, then the stop returns.
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(small::close);
            String refused = "";
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); System.nanoTime() < deadline; ) {
                try {
                    idle.write("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
                    refused = idle.response();
                } catch (IOException e) {
                    refused = "closed";
                }
                if (!refused.startsWith("HTTP/1.1 200")) {
                    break;
                }
            }
            assertTrue(refused.equals("closed") || refused.startsWith("HTTP/1.1 503") && refused.contains("\"error\""), refused);
            assertTrue(!stopping.isDone() && !held.isDone(), "the stop waits for the request in flight");
            release.countDown();
            Http.Reply reply = held.get(30, TimeUnit.SECONDS);
            assertEquals(200, reply.status(), reply.body());
            assertEquals("[1,10]", reply.json().get("outputs").get(0).get("shape").toString());
            stopping.get(30, TimeUnit.SECONDS);
            assertThrows(IOException.class, () -> new java.net.Socket("127.0.0.1", port).close(), "the port is closed");
        } finally {
            release.countDown();
            small.close();
        }
    }
}
