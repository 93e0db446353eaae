package lenet5.serve;

import com.fasterxml.jackson.databind.JsonNode;
import lenet5.image.Normalization;
import lenet5.image.Preprocess;
import lenet5.io.RawFloats;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OIP binary tensor data extension (as KServe and Triton specify it, and as tritonclient sends
 * by default): raw little-endian tensors after the JSON, whose length the
 * {@code Inference-Header-Content-Length} header gives.
 */
class BinaryInferTest {
    static final String INFER = "v2/models/lenet5_tanh/infer";
    static ModelServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = ModelServer.start(List.of(new ServedModel("lenet5_tanh", TorchModels.load("lenet5_tanh"), Preprocess.MNIST, Normalization.NONE)),
                ServeOptions.DEFAULTS.withPort(0).withLimits(1 << 20, 8, 64));
        http = Http.to(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A request: {@code json}, then {@code binary}, with the header that tells them apart. */
    static Http.Reply post(String json, byte[] binary) {
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(head, head.length + binary.length);
        System.arraycopy(binary, 0, body, head.length, binary.length);
        return http.post(INFER, body, "application/octet-stream", Api.INFERENCE_HEADER, Integer.toString(head.length));
    }

    static String input(String datatype, int n, long bytes) {
        return "{\"name\":\"input\",\"datatype\":\"" + datatype + "\",\"shape\":[" + n + ",1,28,28],\"parameters\":{\"binary_data_size\":" + bytes + "}}";
    }

    static byte[] le(int bytesPerValue, int count, java.util.function.BiConsumer<ByteBuffer, Integer> put) {
        ByteBuffer b = ByteBuffer.allocate(bytesPerValue * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            put.accept(b, i);
        }
        return b.array();
    }

    /** The output of a binary reply: its JSON part says where the floats start and how many bytes they are. */
    static float[] binaryOutput(Http.Reply r) {
        assertEquals(200, r.status(), r.body());
        assertEquals("application/octet-stream", r.type());
        int jsonLength = Integer.parseInt(r.raw().headers().firstValue(Api.INFERENCE_HEADER).orElseThrow());
        byte[] body = r.raw().body();
        JsonNode json = Http.parse(Arrays.copyOf(body, jsonLength));
        JsonNode out = json.get("outputs").get(0);
        assertFalse(out.has("data"), json.toString());
        int size = out.get("parameters").get("binary_data_size").asInt();
        assertEquals(body.length, jsonLength + size);
        float[] v = new float[size / 4];
        ByteBuffer.wrap(body, jsonLength, size).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    static float[] jsonOutput(Http.Reply r) {
        assertEquals(200, r.status(), r.body());
        assertTrue(r.type().startsWith("application/json"), r.type());
        assertTrue(r.raw().headers().firstValue(Api.INFERENCE_HEADER).isEmpty());
        JsonNode data = r.json().get("outputs").get(0).get("data");
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i).floatValue();
        }
        return v;
    }

    @Test
    void binaryInAndOutGivePyTorchsOutputs() {
        float[] inputs = TorchModels.inputs("lenet5_tanh");
        float[] expected = RawFloats.read(TorchModels.torch().resolve("lenet5_tanh.outputs.f32"));
        byte[] fp32 = le(4, inputs.length, (b, i) -> b.putFloat(inputs[i]));
        String json = "{\"id\":\"b1\",\"inputs\":[" + input("FP32", 16, fp32.length) + "],\"parameters\":{\"binary_data_output\":true}}";
        Http.Reply r = post(json, fp32);
        TestFiles.assertClose(expected, binaryOutput(r), 16, 1e-6, "binary in, binary out vs PyTorch");
        // JSON output on request: binary_data on the output overrides binary_data_output.
        float[] asJson = jsonOutput(post("{\"inputs\":[" + input("FP32", 16, fp32.length) + "],\"parameters\":{\"binary_data_output\":true},"
                + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":false}}]}", fp32));
        TestFiles.assertClose(expected, asJson, 16, 1e-6, "binary in, JSON out vs PyTorch");
        // JSON in, binary out (no binary part in the request, so no header needed).
        Http.Reply fromJson = http.post(INFER, Http.inferBody(inputs, 16, 1, 28, 28).replace("]}]}",
                "]}],\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}"));
        assertArrayEquals(asJson, binaryOutput(fromJson));
        assertTrue(http.get("v2").json().get("extensions").toString().contains("\"binary_tensor_data\""));
    }

    @Test
    void everyNumericDatatypeCarriesTheSameValues() {
        // The first digit's raw 0..255 pixels: every datatype holds them exactly, so every request must give
        // the outputs of the same numbers sent as JSON.
        float[] digit = Arrays.copyOf(TorchModels.inputs("lenet5_tanh"), 784);
        int[] px = new int[784];
        float[] values = new float[784];
        for (int i = 0; i < 784; i++) {
            px[i] = Math.round(digit[i] * 255);
            values[i] = px[i];
        }
        float[] want = jsonOutput(http.post(INFER, Http.inferBody(values, 1, 1, 28, 28)));
        Object[][] cases = {
                {"FP32", le(4, 784, (b, i) -> b.putFloat(px[i]))},
                {"FP64", le(8, 784, (b, i) -> b.putDouble(px[i]))},
                {"FP16", le(2, 784, (b, i) -> b.putShort(half(px[i])))},
                {"BF16", le(2, 784, (b, i) -> b.putShort((short) (Float.floatToIntBits(px[i]) >>> 16)))},
                {"UINT8", le(1, 784, (b, i) -> b.put((byte) px[i]))},
                {"INT8", le(1, 784, (b, i) -> b.put((byte) (px[i] / 2)))},
                {"INT16", le(2, 784, (b, i) -> b.putShort((short) px[i]))},
                {"UINT16", le(2, 784, (b, i) -> b.putShort((short) px[i]))},
                {"INT32", le(4, 784, (b, i) -> b.putInt(px[i]))},
                {"UINT32", le(4, 784, (b, i) -> b.putInt(px[i]))},
                {"INT64", le(8, 784, (b, i) -> b.putLong(px[i]))},
                {"UINT64", le(8, 784, (b, i) -> b.putLong(px[i]))},
        };
        float[] halved = new float[784];
        for (int i = 0; i < 784; i++) {
            halved[i] = px[i] / 2;
        }
        float[] wantHalved = jsonOutput(http.post(INFER, Http.inferBody(halved, 1, 1, 28, 28)));
        for (Object[] c : cases) {
            byte[] data = (byte[]) c[1];
            float[] got = binaryOutput(post("{\"inputs\":[" + input((String) c[0], 1, data.length) + "],\"parameters\":{\"binary_data_output\":true}}", data));
            assertArrayEquals(c[0].equals("INT8") ? wantHalved : want, got, (String) c[0]);
        }
        // Signed and unsigned read differently: 0xff is 255 as UINT8, -1 as INT8.
        byte[] ones = new byte[784];
        Arrays.fill(ones, (byte) -1);
        float[] minusOne = new float[784], full = new float[784];
        Arrays.fill(minusOne, -1);
        Arrays.fill(full, 255);
        assertArrayEquals(jsonOutput(http.post(INFER, Http.inferBody(minusOne, 1, 1, 28, 28))),
                binaryOutput(post("{\"inputs\":[" + input("INT8", 1, 784) + "],\"parameters\":{\"binary_data_output\":true}}", ones)));
        assertArrayEquals(jsonOutput(http.post(INFER, Http.inferBody(full, 1, 1, 28, 28))),
                binaryOutput(post("{\"inputs\":[" + input("UINT8", 1, 784) + "],\"parameters\":{\"binary_data_output\":true}}", ones)));
    }

    /** IEEE binary16 of a small integer (exact below 2048), written out by hand. */
    static short half(int v) {
        if (v == 0) {
            return 0;
        }
        int e = 31 - Integer.numberOfLeadingZeros(v);
        return (short) ((e + 15) << 10 | (v << (10 - e)) & 0x3ff);
    }

    @Test
    void halfPrecisionEdgeCases() {
        assertEquals(1f, BinaryTensor.halfToFloat((short) 0x3c00));
        assertEquals(-2f, BinaryTensor.halfToFloat((short) 0xc000));
        assertEquals(65504f, BinaryTensor.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, BinaryTensor.halfToFloat((short) 0x0001));
        assertEquals(0x1p-14f - 0x1p-24f, BinaryTensor.halfToFloat((short) 0x03ff));
        assertEquals(-0f, BinaryTensor.halfToFloat((short) 0x8000));
        assertEquals(Float.POSITIVE_INFINITY, BinaryTensor.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(BinaryTensor.halfToFloat((short) 0x7e00)));
        for (int v = 0; v < 2048; v++) {
            assertEquals(v, BinaryTensor.halfToFloat(half(v)));
        }
    }

    @Test
    void malformedBinaryRequestsAreClear400s() {
        byte[] zeros = new byte[784 * 4];
        String fp32 = "{\"inputs\":[" + input("FP32", 1, 3136) + "]}";
        Object[][] cases = {
                {"{\"inputs\":[" + input("FP32", 1, 3000) + "]}", zeros, "holds 3136 bytes, its 'binary_data_size' says 3000"},
                {fp32, Arrays.copyOf(zeros, 3000), "the body ends inside the input's binary data (3000 of 3136 bytes)"},
                {fp32, Arrays.copyOf(zeros, 3200), "goes on past the JSON and the binary data"},
                {fp32.replace("\"parameters\"", "\"data\":[0],\"parameters\""), zeros, "both 'data' and a 'binary_data_size'"},
                {"{\"inputs\":[" + input("BOOL", 1, 784) + "]}", new byte[784], "datatype 'BOOL' is not numeric"},
                {fp32.replace("3136}", "-1}"), zeros, "'binary_data_size' must be a non-negative integer"},
                {fp32.replace("]}", "],\"parameters\":{\"binary_data_output\":\"yes\"}}"), zeros, "'binary_data_output' must be true or false"},
        };
        for (Object[] c : cases) {
            Http.Reply r = post((String) c[0], (byte[]) c[1]);
            assertEquals(400, r.status(), r.body());
            assertTrue(r.json().get("error").asText().contains((String) c[2]), c[2] + " not in " + r.body());
        }
        float[] nan = new float[784];
        nan[5] = Float.NaN;
        Http.Reply r = post(fp32, le(4, 784, (b, i) -> b.putFloat(nan[i])));
        assertEquals(400, r.status());
        assertTrue(r.body().contains("input value 5 (NaN) is not a finite float32"), r.body());
        // The JSON part's length: shorter than declared, not a number, beyond the body limit; binary data without it.
        byte[] head = fp32.getBytes(StandardCharsets.UTF_8);
        String[][] headers = {{"99999", "the body ends after"}, {"abc", "'abc' is not a byte count"}, {"99999999", "is not between 0 and the body limit"}};
        for (String[] h : headers) {
            Http.Reply bad = http.post(INFER, head, "application/octet-stream", Api.INFERENCE_HEADER, h[0]);
            assertEquals(400, bad.status(), bad.body());
            assertTrue(bad.body().contains(h[1]), h[1] + " not in " + bad.body());
        }
        Http.Reply gzip = http.post(INFER, head, "application/json", "Content-Encoding", "gzip");
        assertEquals(415, gzip.status(), gzip.body());
        assertTrue(gzip.body().contains("Content-Encoding 'gzip' is not supported"), gzip.body());
        Http.Reply noHeader = http.post(INFER, fp32);
        assertEquals(400, noHeader.status());
        assertTrue(noHeader.body().contains("no Inference-Header-Content-Length header"), noHeader.body());
        assertEquals(200, post(fp32, zeros).status());
    }
}
