package lenet5.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The draw-a-digit page's three files, read once from the jar: nothing is fetched from the network. */
final class Assets {
    private final Map<String, Api.Reply> files = Map.of(
            "/", asset("text/html; charset=utf-8", "index.html"),
            "/app.js", asset("text/javascript; charset=utf-8", "app.js"),
            "/app.css", asset("text/css; charset=utf-8", "app.css"));

    Api.Reply get(String route) {
        return files.get(route);
    }

    private static Api.Reply asset(String type, String name) {
        return new Api.Reply(200, type, load(name), 0);
    }

    private static byte[] load(String name) {
        try (InputStream in = Assets.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource lenet5/serve/web/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
