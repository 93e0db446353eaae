package lenet5.cli;

import lenet5.InvalidInputException;
import lenet5.image.ImagePreprocessor;
import lenet5.image.Normalization;
import lenet5.image.Preprocess;
import lenet5.io.AtomicFiles;
import lenet5.io.Idx;
import lenet5.io.RawFloats;
import lenet5.layout.Layout;
import lenet5.model.KernelChoice;
import lenet5.model.Predictor;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static lenet5.cli.Specs.flag;
import static lenet5.cli.Specs.option;
import static lenet5.cli.Specs.positional;
import static lenet5.cli.Specs.positionals;

final class PredictCommand implements Callable<Integer> {
    Path model;
    List<Path> imageFiles = new ArrayList<>();
    final ModelOptions modelOptions = new ModelOptions();
    Path idx;
    Path raw;
    Path labels;
    boolean rawPixels;
    String normalize;
    Integer pad;
    Integer resize;
    String layout;
    Path output;
    boolean logits;
    boolean perImage;
    String preprocess;
    String format;
    Kernels kernels;
    Integer threads;

    enum Kernels { AUTO, BEST, SCALAR }

    final CommandSpec spec = Specs.command(this, "predict", new String[] {
            "Classify images with a model: image files (PNG, JPEG, BMP, GIF, ...) or directories of them, MNIST IDX files, or raw float32 input."},
            "", "A model file records its input size but not how its training images were preprocessed: pass "
                    + "--normalize, --pad and --resize (and --raw-pixels) the way the model was trained. Order: scale, resize, pad, normalize.")
            .addPositional(positional("0", "MODEL", Path.class, v -> model = v, "A .pt/.pth, .h5 or .keras file."))
            .addPositional(positionals("1..*", "0..*", "IMAGE", Path.class, v -> imageFiles = v,
                    "Image files or directories (walked recursively for image files); one line per file."))
            .addArgGroup(ArgGroupSpec.builder().exclusive(true).multiplicity("0..1")
                    .addArg(option("--images", "IDX", Path.class, v -> idx = v, "MNIST idx3-ubyte images (plain or .gz)."))
                    .addArg(option("--input", "F32", Path.class, v -> raw = v, "Raw little-endian float32 images; the count follows from the file size."))
                    .build())
            .addOption(option("--labels", "IDX", Path.class, v -> labels = v, "MNIST idx1-ubyte labels: print accuracy and a confusion matrix."))
            .addOption(flag("--raw-pixels", v -> rawPixels = v,
                    "Feed IDX or image pixels as 0..255 instead of scaled to [0,1] (for models trained on raw values)."))
            .addOption(option("--normalize", "MEAN,STD", String.class, v -> normalize = v, "IDX images and image files: subtract MEAN and divide by STD after "
                    + "scaling (torchvision's Normalize, e.g. 0.1307,0.3081 for MNIST). Not recorded in model files."))
            .addOption(option("--pad", "N", Integer.class, v -> pad = v, "IDX images: add N background pixels on every side "
                    + "(2 turns 28x28 into 32x32, as LeNet-5 was fed). Not recorded in model files."))
            .addOption(option("--resize", "N", Integer.class, v -> resize = v, "IDX images: resize to NxN, bilinear (torchvision's Resize(N)). "
                    + "Not recorded in model files."))
            .addOption(option("--layout", "nchw|nhwc", String.class, v -> layout = v,
                    "Layout of --input data (default: the model's native layout, NHWC for Keras, NCHW for PyTorch)."))
            .addOption(option("--output", "F32", Path.class, v -> output = v, "Write the outputs as raw little-endian float32, N rows of K values."))
            .addOption(flag("--logits", v -> logits = v, "Output the input of a final softmax or sigmoid instead of its output."))
            .addOption(flag("--per-image", v -> perImage = v, "Print one line per image (the default without --labels and --output)."))
            .addOption(option("--preprocess", "mnist|resize|none", String.class, "mnist", v -> preprocess = v,
                    "How image files become model input: mnist (ink box to 20x20, centre of mass in 28x28, padded to the model's size; default), "
                            + "resize (whole image scaled to the model's size) or none (must already have it)."))
            .addOption(option("--format", "text|csv|jsonl", String.class, "text", v -> format = v,
                    "Output for image files: text (default), csv, or jsonl (one object per file: file, class, probability, top3)."))
            .addOption(option("--kernels", "auto|best|scalar", Kernels.class, "auto", v -> kernels = v,
                    "Compute kernels: best (the Vector API when the JVM has it), scalar (plain Java), or auto (default): "
                            + "scalar below " + AUTO_SCALAR_BELOW + " images, where the Vector API's still-interpreted code would cost more than it saves."))
            .addOption(option("--threads", "N", Integer.class, v -> threads = v, "--images and --input: split the batch over N threads "
                    + "(default: one per processor; the results are the same bits for any N)."));

    {
        modelOptions.addTo(spec);
    }

    /** Measured: below this many images a fresh JVM finishes sooner on the plain-Java kernels (README, Performance). */
    static final int AUTO_SCALAR_BELOW = 50_000;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (threads != null && threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
        }
        if (!imageFiles.isEmpty()) {
            return predictImages(out);
        }
        if (idx == null && raw == null) {
            throw new ParameterException(spec.commandLine(), "give IMAGE files or directories, --images IDX or --input F32");
        }
        if (output != null) {
            AtomicFiles.refuseOverwriting(output, "an input file (the model, --images, --input or --labels)",
                    model, idx, raw, labels);
        }
        Sequential m = modelOptions.load(model);
        if (logits) {
            m = m.withoutFinalActivation();
        }
        Shape in = m.inputShape();
        float[] data;
        Layout dataLayout;
        int n;
        if (idx != null) {
            Idx.Images images = Idx.readImages(idx);
            ImagePrep prep = ImagePrep.of(images.rows(), images.cols(), resize, pad, normalize);
            if (in.channels() != 1 || in.height() != prep.height() || in.width() != prep.width()) {
                throw new InvalidInputException(idx, "images are 1x" + prep.height() + "x" + prep.width()
                        + (prep.changesSize() ? " after --resize/--pad" : "") + ", the model expects " + in
                        + (in.channels() == 1 && in.height() == in.width() && images.rows() == images.cols() && in.height() > images.rows()
                        ? " (a model trained on padded or resized digits: --pad " + (in.height() - images.rows()) / 2
                        + " or --resize " + in.height() + ")" : "")
                        + (modelOptions.arch != null && modelOptions.inputShape == null && in.height() < prep.height()
                        ? " (inferred from --arch, which has no --input-shape: if the model ran on these images, the architecture lacks "
                        + "layers that shrink the map before its first Linear, such as a pooling that forward() runs after each "
                        + "convolution)" : ""));
            }
            data = prep.apply(images.toFloats(!rawPixels), images.count());
            dataLayout = Layout.NCHW; // IDX images are N x 1 x H x W
            n = images.count();
        } else {
            if (normalize != null || pad != null || resize != null) {
                throw new InvalidInputException(raw, "--normalize, --pad and --resize apply to --images; --input is fed as it is");
            }
            data = RawFloats.read(raw);
            if (data.length % in.size() != 0) {
                throw new InvalidInputException(raw, data.length + " float32 values are not a whole number of images of "
                        + in.size() + " values (" + in + ")");
            }
            dataLayout = layout == null ? m.nativeLayout() : Layout.parse(layout);
            n = data.length / in.size();
        }
        int[] truth = labels == null ? null : Idx.readLabels(labels);
        if (truth != null && truth.length != n) {
            throw new InvalidInputException(labels, truth.length + " labels for " + n + " images");
        }

        long t0 = System.nanoTime();
        float[] result;
        String kernelsRun;
        try (Predictor p = m.newPredictor(dataLayout, threads == null ? Runtime.getRuntime().availableProcessors() : threads, kernelsFor(n))) {
            result = p.batchPredict(data);
            kernelsRun = p.kernels();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int k = m.outputShape().size();

        if (output != null) {
            RawFloats.write(output, result);
        }
        if (perImage || (truth == null && output == null)) {
            for (int i = 0; i < n; i++) {
                int c = classOf(result, i, k);
                out.println(i + "\tpredicted " + c + (logits ? "\tlogit " : "\tscore ") + Decimals.fixed(result[i * k + (k == 1 ? 0 : c)], 6)
                        + (truth == null ? "" : "\tlabel " + truth[i]));
            }
        }
        out.println("images: " + n + ", model: " + InspectCommand.shown(model) + " (" + InspectCommand.shown(m.info().format()) + "), "
                + Decimals.fixed(seconds, 3) + " s (" + Decimals.fixed(n / Math.max(seconds, 1e-9), 0) + " images/s, " + kernelsRun + " kernels)");
        if (output != null) {
            out.println("wrote " + n + " x " + k + " float32 to " + output);
        }
        if (truth != null) {
            printAccuracy(out, result, truth, k);
        }
        return Main.EXIT_OK;
    }

    private int predictImages(PrintWriter out) {
        if (idx != null || raw != null || labels != null || output != null || pad != null || resize != null) {
            throw new ParameterException(spec.commandLine(), "IMAGE files take none of --images, --input, --labels, --output, --pad, --resize "
                    + "(--preprocess fits them to the model)");
        }
        if (normalize != null && rawPixels) {
            throw new ParameterException(spec.commandLine(), "--raw-pixels and --normalize exclude each other");
        }
        ImagePredictions.Format f;
        try {
            f = ImagePredictions.Format.valueOf(format.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format must be text, csv or jsonl, got '" + format + "'");
        }
        Sequential m = modelOptions.load(model);
        if (logits) {
            m = m.withoutFinalActivation();
        }
        Normalization norm = normalize != null ? Normalization.parse(normalize) : rawPixels ? Normalization.RAW_PIXELS : Normalization.NONE;
        ImagePreprocessor pre = ImagePreprocessor.forInput(m.inputShape()).withMode(Preprocess.parse(preprocess)).withNormalization(norm);
        List<Path> files = ImageFiles.expand(imageFiles);
        int failed;
        try (Predictor p = m.newPredictor(Layout.NCHW, 1, kernelsFor(files.size()))) { // one gray plane per channel: NCHW = NHWC
            failed = ImagePredictions.run(files, pre, p, f, logits, out, spec.commandLine().getErr());
        }
        if (failed > 0) {
            spec.commandLine().getErr().printf(Locale.ROOT, "error: %d of %d files could not be read%n", failed, files.size());
            return Main.EXIT_ERROR;
        }
        return Main.EXIT_OK;
    }

    private KernelChoice kernelsFor(int images) {
        return kernels == Kernels.SCALAR || kernels == Kernels.AUTO && images < AUTO_SCALAR_BELOW ? KernelChoice.SCALAR : KernelChoice.BEST;
    }

    /**
     * The predicted class of row {@code i}: the largest of K outputs, or for a single output (a
     * binary sigmoid head) 1 when it is at least 0.5 (0 for logits, which --logits gives).
     */
    private int classOf(float[] result, int i, int k) {
        if (k == 1) {
            return result[i] >= (logits ? 0f : 0.5f) ? 1 : 0;
        }
        return Predictor.argmax(result, i * k, k);
    }

    private void printAccuracy(PrintWriter out, float[] result, int[] truth, int k) {
        int classes = Math.max(k, 2);
        for (int t : truth) {
            classes = Math.max(classes, t + 1);
        }
        int[][] confusion = new int[classes][classes];
        int correct = 0;
        for (int i = 0; i < truth.length; i++) {
            int c = classOf(result, i, k);
            confusion[truth[i]][c]++;
            if (c == truth[i]) {
                correct++;
            }
        }
        out.printf(Locale.ROOT, "accuracy: %.4f (%d/%d)%n", truth.length == 0 ? 0.0 : (double) correct / truth.length,
                correct, truth.length);
        out.println("confusion matrix (rows: true label, columns: predicted):");
        StringBuilder head = new StringBuilder("      ");
        for (int c = 0; c < classes; c++) {
            head.append(String.format("%6d", c));
        }
        out.println(head);
        for (int r = 0; r < classes; r++) {
            StringBuilder row = new StringBuilder(String.format("%6d", r));
            for (int c = 0; c < classes; c++) {
                row.append(String.format("%6d", confusion[r][c]));
            }
            out.println(row);
        }
    }
}
