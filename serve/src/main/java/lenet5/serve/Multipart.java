package lenet5.serve;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The first file of a {@code multipart/form-data} body (an HTML form's upload): the part with a
 * {@code filename}, else the first part. The body is already bounded by the size limit.
 */
final class Multipart {
    private Multipart() {
    }

    static byte[] firstFile(byte[] body, String contentType) {
        String boundary = null;
        for (String param : contentType.split(";")) {
            String p = param.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                boundary = p.substring(9).replace("\"", "");
            }
        }
        InferRequest.expect(boundary != null && !boundary.isEmpty() && boundary.length() <= 70, "multipart body without a boundary of 1 to 70 characters");
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, delimiter, 0);
        byte[] first = null;
        while (at >= 0) {
            int headersStart = at + delimiter.length;
            if (headersStart + 2 <= body.length && body[headersStart] == '-' && body[headersStart + 1] == '-') {
                break; // closing delimiter
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
            InferRequest.expect(headersEnd >= 0, "malformed multipart body: a part without headers");
            int end = indexOf(body, next, headersEnd + 4);
            InferRequest.expect(end >= 0, "malformed multipart body: a part without its closing boundary");
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            byte[] content = Arrays.copyOfRange(body, headersEnd + 4, end);
            if (headers.contains("filename=")) {
                return content;
            }
            if (first == null) {
                first = content;
            }
            at = end + 2;
        }
        InferRequest.expect(first != null, "the multipart body has no parts");
        return first;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
