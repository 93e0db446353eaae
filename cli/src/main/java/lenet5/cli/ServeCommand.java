package lenet5.cli;

import lenet5.image.Normalization;
import lenet5.image.Preprocess;
import lenet5.serve.ModelServer;
import lenet5.serve.ServeOptions;
import lenet5.serve.ServedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve models over HTTP: the Open Inference Protocol v2 REST API (/v2/...), image prediction "
                + "(POST /v1/models/NAME/predict), a draw-a-digit page (/) and Prometheus metrics (/metrics).",
                "Stops gracefully on SIGTERM or Ctrl-C: requests in flight finish."})
final class ServeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "MODEL",
            description = "Model files (.pt/.pth, .h5, .keras), served under the file name without its extension, or NAME=FILE.")
    List<String> models;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--preprocess", paramLabel = "mnist|resize|none", defaultValue = "mnist",
            description = "Default preprocessing of uploaded images (a request may ask ?preprocess=...; default: ${DEFAULT-VALUE}).")
    String preprocess;

    @Option(names = "--normalize", paramLabel = "MEAN,STD", description = "The models' input normalization of image pixels in [0,1] (default: none).")
    String normalize;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "4194304", description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "64", description = "Inference requests handled at once; more get 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "1024", description = "Largest batch in one infer request (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "30", description = "Close connections idle this long (default: ${DEFAULT-VALUE}).")
    int idleTimeout;

    @Option(names = "--warm-up", paramLabel = "SECONDS", defaultValue = "2",
            description = "Before listening, run each model on blank images for up to this long (or until its kernels are compiled), "
                    + "so the first requests do not wait on the JIT; 0 skips it (default: ${DEFAULT-VALUE}).")
    double warmUp;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Normalization norm = normalize == null ? Normalization.NONE : Normalization.parse(normalize);
        Preprocess pre = Preprocess.parse(preprocess);
        List<ServedModel> served = new ArrayList<>();
        List<String> warmedUp = new ArrayList<>();
        for (String m : models) {
            int eq = m.indexOf('=');
            Path file = Path.of(eq > 0 ? m.substring(eq + 1) : m);
            String name = eq > 0 ? m.substring(0, eq) : stem(file);
            served.add(new ServedModel(name, modelOptions.load(file), pre, norm));
        }
        if (!(warmUp >= 0 && warmUp <= 600)) {
            throw new ParameterException(spec.commandLine(), "--warm-up must be 0 to 600 seconds, got " + warmUp);
        }
        for (ServedModel m : served) {
            long t0 = System.nanoTime();
            int images = m.warmUp(Duration.ofNanos((long) (warmUp * 1e9)));
            warmedUp.add(images == 0 ? "" : ", warmed up on " + images + " blank images in " + Decimals.fixed((System.nanoTime() - t0) / 1e9, 2) + " s");
        }
        ServeOptions options = ServeOptions.DEFAULTS.withHost(host).withPort(port).withLimits(maxBody, maxConcurrent, maxBatch)
                .withTimeouts(Duration.ofSeconds(idleTimeout), ServeOptions.DEFAULTS.stopTimeout()).withPreprocessing(pre, norm);
        ModelServer server = ModelServer.start(served, options, true);
        for (int i = 0; i < served.size(); i++) {
            out.println("model " + served.get(i).name() + ": " + served.get(i).model().info().format() + warmedUp.get(i));
        }
        out.println("serving " + served.size() + " model(s) at " + server.url() + " (Ctrl-C or SIGTERM stops)");
        out.flush();
        server.join();
        return Main.EXIT_OK;
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
