package lenet5.serve;

/** A request the server refuses: the status and a message for the client's {@code {"error": ...}} body. */
final class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
