package lenet5.serve;

import com.fasterxml.jackson.databind.JsonNode;
import lenet5.io.RawFloats;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classification extension (Triton's, as tritonclient's {@code InferRequestedOutput(name,
 * class_count=N)} asks for it): an output's top N classes as {@code "<value>:<index>"} strings,
 * checked against PyTorch's probabilities for the same digits.
 */
class ClassificationTest {
    static final int N = 16, TOP = 3;
    static ModelServer server;
    static Http http;
    static float[] inputs, torch;

    @BeforeAll
    static void start() {
        server = ModelServer.start(List.of(new ServedModel("lenet5_tanh", TorchModels.load("lenet5_tanh"),
                        lenet5.image.Preprocess.MNIST, lenet5.image.Normalization.NONE)),
                ServeOptions.DEFAULTS.withPort(0).withLimits(1 << 20, 8, 64));
        http = Http.to(server);
        inputs = TorchModels.inputs("lenet5_tanh");
        torch = RawFloats.read(TorchModels.torch().resolve("lenet5_tanh.outputs.f32"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String request(String outputParameters) {
        return Http.inferBody(inputs, N, 1, 28, 28).replace("]}]}",
                "]}],\"outputs\":[{\"name\":\"output\",\"parameters\":{" + outputParameters + "}}]}");
    }

    /** Each row's strings name PyTorch's top classes in order, with PyTorch's values printed to six decimals. */
    static void assertTopClasses(List<String> classes) {
        assertEquals(N * TOP, classes.size());
        for (int r = 0; r < N; r++) {
            float[] row = Arrays.copyOfRange(torch, r * 10, r * 10 + 10);
            double previous = Double.POSITIVE_INFINITY;
            for (int c = 0; c < TOP; c++) {
                String s = classes.get(r * TOP + c);
                assertTrue(s.matches("\\d\\.\\d{6}:\\d"), s);
                double value = Double.parseDouble(s.substring(0, s.indexOf(':')));
                int index = Integer.parseInt(s.substring(s.indexOf(':') + 1));
                // PyTorch's value for that class, within this engine's 1e-6 and the printing's 5e-7.
                assertEquals(row[index], value, 1.5e-6, "row " + r + ": " + s);
                assertTrue(value <= previous, "row " + r + " is not in descending order: " + classes.subList(r * TOP, r * TOP + TOP));
                previous = value;
                // No class left out ranks higher in PyTorch's outputs (beyond the tolerance).
                for (int i = 0; i < 10; i++) {
                    if (row[i] > row[index] + 2e-6) {
                        boolean listed = false;
                        for (int e = 0; e < c; e++) {
                            listed |= classes.get(r * TOP + e).endsWith(":" + i);
                        }
                        assertTrue(listed, "row " + r + ": class " + i + " (" + row[i] + ") outranks " + s);
                    }
                }
            }
        }
    }

    @Test
    void jsonClassesArePyTorchsTopClasses() {
        Http.Reply r = http.post(BinaryInferTest.INFER, request("\"classification\":" + TOP));
        assertEquals(200, r.status(), r.body());
        JsonNode out = r.json().get("outputs").get(0);
        assertEquals("BYTES", out.get("datatype").asText());
        assertEquals("[" + N + "," + TOP + "]", out.get("shape").toString());
        List<String> classes = new ArrayList<>();
        out.get("data").forEach(v -> classes.add(v.asText()));
        assertTopClasses(classes);
        assertTrue(http.get("v2").json().get("extensions").toString().contains("\"classification\""));
    }

    @Test
    void binaryClassesAreLengthPrefixedStrings() {
        Http.Reply r = http.post(BinaryInferTest.INFER, request("\"classification\":" + TOP + ",\"binary_data\":true"));
        assertEquals(200, r.status(), r.body());
        int jsonLength = Integer.parseInt(r.raw().headers().firstValue(Api.INFERENCE_HEADER).orElseThrow());
        byte[] body = r.raw().body();
        JsonNode out = Http.parse(Arrays.copyOf(body, jsonLength)).get("outputs").get(0);
        assertEquals("BYTES", out.get("datatype").asText());
        int size = out.get("parameters").get("binary_data_size").asInt();
        assertEquals(body.length, jsonLength + size);
        ByteBuffer b = ByteBuffer.wrap(body, jsonLength, size).order(ByteOrder.LITTLE_ENDIAN);
        List<String> classes = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] s = new byte[b.getInt()];
            b.get(s);
            classes.add(new String(s, StandardCharsets.UTF_8));
        }
        assertTopClasses(classes);
    }

    @Test
    void badCountsAreClear400s() {
        String[][] cases = {
                {"\"classification\":0", "'classification' must be a positive integer"},
                {"\"classification\":2.5", "'classification' must be a positive integer"},
                {"\"classification\":\"3\"", "'classification' must be a positive integer"},
        };
        for (String[] c : cases) {
            Http.Reply r = http.post(BinaryInferTest.INFER, request(c[0]));
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains(c[1]), r.body());
        }
    }

    /** More classes than the model has: all ten, as Triton clamps the count. */
    @Test
    void aCountAboveTheClassCountGivesEveryClass() {
        Http.Reply r = http.post(BinaryInferTest.INFER, request("\"classification\":11"));
        assertEquals(200, r.status(), r.body());
        JsonNode out = r.json().get("outputs").get(0);
        assertEquals("[" + N + ",10]", out.get("shape").toString());
        assertEquals(N * 10, out.get("data").size());
    }

    @Test
    void valuesPrintAsCPrintfPrintsThem() {
        assertEquals("0.100000", Classification.format(0.1f));
        assertEquals("0.999999", Classification.format(0.99999934f)); // 0.999999344348907...
        assertEquals("1.000000", Classification.format(0.99999994f)); // 0.999999940395355...
        assertEquals("-0.000000", Classification.format(-1e-9f));
        assertEquals("123456.000000", Classification.format(123456f));
        assertEquals("nan", Classification.format(Float.NaN));
        assertEquals("-inf", Classification.format(Float.NEGATIVE_INFINITY));
        // Equal values: the lower index first; NaN last.
        assertEquals(List.of("0.500000:1", "0.500000:2", "0.250000:0", "nan:3"),
                List.of(Classification.top(new float[] {0.25f, 0.5f, 0.5f, Float.NaN}, 4, 4)));
    }
}
