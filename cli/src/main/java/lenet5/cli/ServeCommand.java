package lenet5.cli;

import lenet5.image.Normalization;
import lenet5.image.Preprocess;
import lenet5.serve.ModelServer;
import lenet5.serve.ServeOptions;
import lenet5.serve.ServedModel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static lenet5.cli.Specs.option;
import static lenet5.cli.Specs.positionals;

final class ServeCommand implements Callable<Integer> {
    List<String> models;
    final ModelOptions modelOptions = new ModelOptions();
    String host;
    int port;
    String preprocess;
    String normalize;
    long maxBody;
    int maxConcurrent;
    int maxBatch;
    int idleTimeout;
    double warmUp;

    final CommandSpec spec = Specs.command(this, "serve", new String[] {
            "Serve models over HTTP: the Open Inference Protocol v2 REST API (/v2/...), image prediction "
                    + "(POST /v1/models/NAME/predict), a draw-a-digit page (/) and Prometheus metrics (/metrics).",
            "Stops gracefully on SIGTERM or Ctrl-C: requests in flight finish."})
            .addPositional(positionals("0..*", "1..*", "MODEL", String.class, v -> models = v,
                    "Model files (.pt/.pth, .h5, .keras), served under the file name without its extension, or NAME=FILE."))
            .addOption(option("--host", "HOST", String.class, "127.0.0.1", v -> host = v,
                    "Address to listen on (default: ${DEFAULT-VALUE}, this machine only)."))
            .addOption(option("--port", "PORT", Integer.class, "8080", v -> port = v, "Port (default: ${DEFAULT-VALUE}; 0 picks a free one)."))
            .addOption(option("--preprocess", "mnist|resize|none", String.class, "mnist", v -> preprocess = v,
                    "Default preprocessing of uploaded images (a request may ask ?preprocess=...; default: ${DEFAULT-VALUE})."))
            .addOption(option("--normalize", "MEAN,STD", String.class, v -> normalize = v,
                    "The models' input normalization of image pixels in [0,1] (default: none)."))
            .addOption(option("--max-body", "BYTES", Long.class, "4194304", v -> maxBody = v,
                    "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE})."))
            .addOption(option("--max-concurrent", "N", Integer.class, "64", v -> maxConcurrent = v,
                    "Inference requests handled at once; more get 503 with Retry-After (default: ${DEFAULT-VALUE})."))
            .addOption(option("--max-batch", "N", Integer.class, "1024", v -> maxBatch = v,
                    "Largest batch in one infer request (default: ${DEFAULT-VALUE})."))
            .addOption(option("--idle-timeout", "SECONDS", Integer.class, "30", v -> idleTimeout = v,
                    "Close connections idle this long (default: ${DEFAULT-VALUE})."))
            .addOption(option("--warm-up", "SECONDS", Double.class, "2", v -> warmUp = v,
                    "Before listening, run each model on blank images for up to this long (or until its kernels are compiled), "
                            + "so the first requests do not wait on the JIT; 0 skips it (default: ${DEFAULT-VALUE})."));

    {
        modelOptions.addTo(spec);
    }

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
