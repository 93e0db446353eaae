package lenet5.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lenet5.Lenet5Exception;
import lenet5.image.ImageDecoder;
import lenet5.image.ImagePreprocessor;
import lenet5.model.Predictor;
import lenet5.model.TopClasses;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code predict MODEL IMAGE...}: decodes and preprocesses the files a batch at a time, prints one
 * line per file (text, csv or jsonl). A file that cannot be read is reported on stderr and skipped;
 * the run goes on and ends with exit code 2.
 */
final class ImagePredictions {
    private static final int BATCH = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Format { TEXT, CSV, JSONL }

    private ImagePredictions() {
    }

    /** Returns the number of files that could not be read. */
    static int run(List<Path> files, ImagePreprocessor pre, Predictor predictor, Format format, boolean logits,
                   PrintWriter out, PrintWriter err) {
        if (format == Format.CSV) {
            out.println("file,class,probability,top3");
        }
        int k = predictor.outputSize(), failed = 0;
        float[] batch = new float[BATCH * pre.size()];
        float[] result = new float[BATCH * k];
        List<Path> names = new ArrayList<>();
        try (Progress progress = Progress.onTerminal(files.size(), "files")) {
            for (int i = 0; i < files.size(); i++) {
                Path f = files.get(i);
                try {
                    pre.apply(ImageDecoder.read(f), batch, names.size() * pre.size());
                    names.add(f);
                } catch (Lenet5Exception e) {
                    err.println("error: " + (e.file() == null ? f + ": " : "") + e.getMessage());
                    failed++;
                }
                if (names.size() == BATCH || i == files.size() - 1) {
                    predictor.predict(batch, 0, names.size(), result, 0);
                    for (int j = 0; j < names.size(); j++) {
                        print(out, format, names.get(j), TopClasses.of(result, j * k, k, 3, logits));
                    }
                    names.clear();
                    out.flush();
                }
                progress.update(i + 1);
            }
        }
        return failed;
    }

    private static void print(PrintWriter out, Format format, Path file, TopClasses top) {
        switch (format) {
            case TEXT -> out.println(file + "\tclass " + top.best() + "\tprobability " + Decimals.fixed(top.score(), 6) + "\ttop3 " + text(top));
            case CSV -> out.println(csv(file.toString()) + "," + top.best() + "," + Decimals.fixed(top.score(), 6) + "," + text(top));
            case JSONL -> {
                ObjectNode o = JSON.createObjectNode();
                o.put("file", file.toString());
                o.put("class", top.best());
                o.put("probability", top.score());
                ArrayNode a = o.putArray("top3");
                for (int i = 0; i < top.classes().length; i++) {
                    a.addObject().put("class", top.classes()[i]).put("probability", top.scores()[i]);
                }
                out.println(o);
            }
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String text(TopClasses top) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < top.classes().length; i++) {
            sb.append(i == 0 ? "" : " ").append(top.classes()[i]).append(':').append(Decimals.fixed(top.scores()[i], 6));
        }
        return sb.toString();
    }
}
