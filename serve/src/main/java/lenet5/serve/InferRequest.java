package lenet5.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import lenet5.layout.WeightLayouts;
import lenet5.tensor.Shape;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An Open Inference Protocol v2 infer request, read as a stream (numbers go straight into one float
 * array, never a tree of JSON nodes), so its memory is bounded by the batch limit, not the body.
 * One input tensor, numeric datatype, shape {@code [N, C, H, W]}, {@code [N, H, W, C]} (turned into
 * NCHW), {@code [N, H, W]} for one channel, or {@code [N, C*H*W]}; data flat or nested row-major in
 * the JSON, or, with the binary tensor data extension, raw little-endian values after it (the
 * {@code Inference-Header-Content-Length} header gives the JSON's length, the input's
 * {@code binary_data_size} parameter the values' bytes). {@code binaryOutput}: the client asked for
 * the output as binary data ({@code binary_data_output} on the request, overridden by
 * {@code binary_data} on the output). {@code classification}: the output's {@code classification}
 * parameter (the classification extension: the top classes as strings instead of the values), or 0.
 */
record InferRequest(String id, int batch, float[] nchw, boolean binaryOutput, int classification) {
    static final String INPUT = "input";
    static final String OUTPUT = "output";
    private static final Set<String> NUMERIC = Set.of("FP16", "FP32", "FP64", "BF16", "INT8", "INT16", "INT32", "INT64",
            "UINT8", "UINT16", "UINT32", "UINT64");
    /** FastDoubleParser: the same correctly rounded floats as Float.parseFloat, and most of an infer request's time is its numbers. */
    static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(64).maxStringLength(1 << 16).build())
            .build();

    /**
     * The request in {@code body}; {@code jsonLength} is the {@code Inference-Header-Content-Length}
     * header's value, or -1 when the request has none (the whole body is JSON).
     */
    static InferRequest read(InputStream body, long jsonLength, Shape input, int maxBatch) {
        try {
            if (jsonLength < 0) {
                try (JsonParser p = JSON.createParser(body)) {
                    return parse(p, input, maxBatch, null);
                }
            }
            // The JSON first, whole (the body's limit bounds it), then the binary data straight from the stream.
            byte[] json = body.readNBytes((int) Math.min(jsonLength, Integer.MAX_VALUE - 8));
            expect(json.length == jsonLength, "the body ends after " + json.length + " bytes, before the " + jsonLength
                    + " bytes of JSON its Inference-Header-Content-Length header declares");
            try (JsonParser p = JSON.createParser(json)) {
                InferRequest r = parse(p, input, maxBatch, body);
                expect(body.read() < 0, "the body goes on past the JSON and the binary data its inputs declare");
                return r;
            }
        } catch (JsonProcessingException e) {
            throw new HttpError(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw e.getCause() instanceof HttpError h ? h : new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
    }

    /** {@code binary}: the body after the JSON, or null when the request has no binary part. */
    private static InferRequest parse(JsonParser p, Shape input, int maxBatch, InputStream binary) throws IOException {
        expect(p.nextToken() == JsonToken.START_OBJECT, "the request must be a JSON object");
        String id = null;
        Tensor tensor = null;
        boolean binaryOutput = false;
        Boolean outputBinary = null;
        int classification = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> {
                    expect(t == JsonToken.VALUE_STRING, "'id' must be a string");
                    id = p.getText();
                }
                case "inputs" -> {
                    expect(t == JsonToken.START_ARRAY, "'inputs' must be an array");
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        expect(tensor == null, "the model has one input, '" + INPUT + "'; the request has more");
                        tensor = Tensor.parse(p, (long) maxBatch * input.size());
                    }
                }
                case "outputs" -> {
                    expect(t == JsonToken.START_ARRAY, "'outputs' must be an array");
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken v = p.nextToken();
                            if (f.equals("name")) {
                                expect(v == JsonToken.VALUE_STRING && p.getText().equals(OUTPUT), "unknown output "
                                        + Errors.quote(p.getText()) + "; the model has one output, '" + OUTPUT + "'");
                            } else if (f.equals("parameters")) {
                                Map<String, Object> params = parameters(p, "output");
                                outputBinary = (Boolean) params.getOrDefault("binary_data", outputBinary);
                                classification = ((Long) params.getOrDefault("classification", (long) classification)).intValue();
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    expect(p.currentToken() == JsonToken.END_ARRAY, "'outputs' must be an array of objects");
                }
                case "parameters" -> binaryOutput = Boolean.TRUE.equals(parameters(p, "request").get("binary_data_output"));
                default -> p.skipChildren(); // extensions
            }
        }
        expect(p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null, "trailing data after the request object");
        expect(tensor != null, "the request has no inputs");
        return tensor.toRequest(id, input, maxBatch, binary, outputBinary != null ? outputBinary : binaryOutput, classification);
    }

    /**
     * Reads a {@code parameters} object: the flags {@code binary_data}, {@code binary_data_output}
     * (Booleans), {@code binary_data_size} (a Long, 0 or more) and {@code classification} (a Long,
     * 1 or more), each checked; other parameters are skipped.
     */
    private static Map<String, Object> parameters(JsonParser p, String owner) throws IOException {
        expect(p.currentToken() == JsonToken.START_OBJECT, owner + " 'parameters' must be an object");
        Map<String, Object> values = new HashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "binary_data", "binary_data_output" -> {
                    expect(v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE, Errors.quote(name) + " must be true or false");
                    values.put(name, v == JsonToken.VALUE_TRUE);
                }
                case "binary_data_size", "classification" -> {
                    long min = name.equals("classification") ? 1 : 0;
                    expect(v == JsonToken.VALUE_NUMBER_INT && p.getLongValue() >= min, Errors.quote(name) + " must be a "
                            + (min == 0 ? "non-negative" : "positive") + " integer");
                    values.put(name, p.getLongValue());
                }
                default -> p.skipChildren();
            }
        }
        return values;
    }

    /** One input tensor as sent; {@code binarySize} is its {@code binary_data_size}, or -1 for JSON data. */
    private record Tensor(String name, long[] shape, String datatype, float[] data, int count, long binarySize) {
        static Tensor parse(JsonParser p, long maxValues) throws IOException {
            expect(p.currentToken() == JsonToken.START_OBJECT, "each input must be an object");
            String name = null, datatype = null;
            long[] shape = null;
            long binarySize = -1;
            float[] data = null;
            int[] count = {0};
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "name" -> {
                        expect(t == JsonToken.VALUE_STRING, "input 'name' must be a string");
                        name = p.getText();
                    }
                    case "datatype" -> {
                        expect(t == JsonToken.VALUE_STRING, "input 'datatype' must be a string");
                        datatype = p.getText();
                    }
                    case "shape" -> {
                        expect(t == JsonToken.START_ARRAY, "input 'shape' must be an array of integers");
                        List<Long> dims = new ArrayList<>();
                        while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
                            expect(dims.size() < 8, "input 'shape' has too many dimensions");
                            dims.add(p.getLongValue());
                        }
                        expect(p.currentToken() == JsonToken.END_ARRAY, "input 'shape' must be an array of integers");
                        shape = dims.stream().mapToLong(Long::longValue).toArray();
                    }
                    case "data" -> {
                        expect(t == JsonToken.START_ARRAY, "input 'data' must be an array of numbers");
                        data = new float[(int) Math.min(maxValues, 1 << 12)];
                        data = readNumbers(p, data, count, maxValues, 1);
                    }
                    case "parameters" -> {
                        Object size = parameters(p, "input").get("binary_data_size");
                        binarySize = size == null ? binarySize : (Long) size;
                    }
                    default -> p.skipChildren();
                }
            }
            expect(name != null && shape != null && datatype != null && (data != null || binarySize >= 0),
                    "each input needs 'name', 'shape', 'datatype' and 'data' (or the binary tensor data extension's 'binary_data_size' parameter)");
            expect(data == null || binarySize < 0, "an input has both 'data' and a 'binary_data_size' parameter; send one of them");
            return new Tensor(name, shape, datatype, data, count[0], binarySize);
        }

        /** Reads numbers of a (nested) array into {@code data}, growing it as values arrive, up to {@code max}. */
        private static float[] readNumbers(JsonParser p, float[] data, int[] count, long max, int depth) throws IOException {
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == JsonToken.START_ARRAY) {
                    data = readNumbers(p, data, count, max, depth + 1);
                    continue;
                }
                // Plain ifs, not expect(): its message would be built for every value (most of a request's time).
                if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                    throw new HttpError(400, "input 'data' must hold only numbers, found "
                            + (t == null ? "the end of the body" : Errors.quote(p.getText())));
                }
                if (count[0] >= max) {
                    throw new HttpError(400, "input 'data' holds more than " + max + " values (the batch limit times the image size)");
                }
                float v = p.getFloatValue();
                if (!Float.isFinite(v)) {
                    throw new HttpError(400, "input 'data' value " + Errors.quote(p.getText()) + " is not a finite float32");
                }
                if (count[0] == data.length) {
                    data = Arrays.copyOf(data, (int) Math.min(max, 2L * data.length));
                }
                data[count[0]++] = v;
            }
            return data;
        }

        InferRequest toRequest(String id, Shape input, int maxBatch, InputStream binary, boolean binaryOutput, int classification)
                throws IOException {
            expect(name.equals(INPUT), "unknown input " + Errors.quote(name) + "; the model's input is '" + INPUT + "'");
            if (!NUMERIC.contains(datatype)) {
                throw new HttpError(400, "input datatype " + Errors.quote(datatype) + " is not numeric; send FP32 (or another of " + NUMERIC + ")");
            }
            expect(shape.length >= 2, "input shape " + Arrays.toString(shape) + " needs a batch dimension and the image's");
            long n = shape[0];
            expect(n >= 1 && n <= maxBatch, "batch size " + n + " is not between 1 and the limit of " + maxBatch);
            long product = 1;
            for (long d : shape) {
                expect(d >= 1 && d <= 1 << 24, "input shape " + Arrays.toString(shape) + " has a dimension out of range");
                product *= d;
            }
            long[] image = Arrays.copyOfRange(shape, 1, shape.length);
            int c = input.channels(), h = input.height(), w = input.width();
            boolean nchw = Arrays.equals(image, new long[] {c, h, w}) || Arrays.equals(image, new long[] {(long) c * h * w})
                    || (c == 1 && Arrays.equals(image, new long[] {h, w}));
            boolean nhwc = Arrays.equals(image, new long[] {h, w, c});
            expect(nchw || nhwc, "input shape " + Arrays.toString(shape) + " does not match the model's [N, " + c + ", " + h + ", " + w
                    + "] (or [N, " + h + ", " + w + ", " + c + "])");
            float[] values;
            if (binarySize >= 0) {
                expect(binary != null, "input has a 'binary_data_size' parameter but the request has no Inference-Header-Content-Length header"
                        + " (the length of the JSON before the binary data)");
                int size = BinaryTensor.elementSize(datatype);
                expect(binarySize == product * size, "input shape " + Arrays.toString(shape) + " of " + datatype + " holds " + product * size
                        + " bytes, its 'binary_data_size' says " + binarySize);
                values = BinaryTensor.read(binary, datatype, (int) product);
            } else {
                expect(product == count, "input shape " + Arrays.toString(shape) + " holds " + product + " values, 'data' has " + count);
                values = data.length == count ? data : Arrays.copyOf(data, count);
            }
            if (!nchw && c > 1) {
                values = WeightLayouts.nhwcToNchw(values, (int) n, input);
            }
            return new InferRequest(id, (int) n, values, binaryOutput, classification);
        }
    }

    static void expect(boolean ok, String message) {
        if (!ok) {
            throw new HttpError(400, message);
        }
    }
}
