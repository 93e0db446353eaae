package lenet5.keras.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import lenet5.CorruptFileException;
import lenet5.keras.Limits;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The one JSON parser of this backend, with nesting and size limits (Keras configs are data from the file). */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(Limits.MAX_JSON_DEPTH)
                            .maxDocumentLength(Limits.MAX_JSON_BYTES)
                            .maxStringLength(Limits.MAX_JSON_BYTES)
                            .maxNumberLength(64)
                            .build())
                    .build())
            // Python's json.dumps writes NaN and Infinity unless told not to.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses {@code text}, the content of {@code what} in {@code file}. */
    public static JsonNode parse(Path file, String what, String text) {
        if (text.length() > Limits.MAX_JSON_BYTES) {
            throw new CorruptFileException(file, what + " is " + text.length() + " characters, over the limit of "
                    + Limits.MAX_JSON_BYTES);
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || !node.isObject()) {
                throw new CorruptFileException(file, what + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new CorruptFileException(file, what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static JsonNode parse(Path file, String what, byte[] utf8) {
        return parse(file, what, new String(utf8, StandardCharsets.UTF_8));
    }
}
