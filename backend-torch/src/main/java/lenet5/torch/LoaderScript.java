package lenet5.torch;

import lenet5.Lenet5Exception;
import lenet5.io.AtomicFiles;
import lenet5.model.Sequential;
import lenet5.torch.nn.TorchSyntax;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The Python script written next to a state_dict {@code .pt}: the matching {@code torch.nn.Sequential}
 * and the lines that load the weights into it, so a PyTorch user runs one file.
 */
final class LoaderScript {
    static final String DESCRIPTION = "the matching torch.nn.Sequential; run it to load the weights";

    private LoaderScript() {
    }

    /** {@code x.pt} -> {@code x.py}. */
    static Path path(Path weights) {
        String n = weights.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return weights.resolveSibling((dot < 0 ? n : n.substring(0, dot)) + ".py");
    }

    static void write(Sequential model, Path weights, String sourceName) {
        Path py = path(weights);
        String script = text(TorchSyntax.format(model), weights.getFileName().toString(), sourceName);
        try {
            AtomicFiles.write(py, o -> o.write(script.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new Lenet5Exception(py, "cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Names from the input (file names) go in only as Python string literals
     * ({@link lenet5.Text#pythonString}), never into comments or code: any name, even one with a
     * newline, stays data.
     */
    static String text(String torchText, String weightsFile, String sourceName) {
        return "# Written by `lenet5 convert`: the torch.nn.Sequential that the state_dict in WEIGHTS loads into exactly.\n"
                + "import os\n"
                + "import torch\n\n"
                + "SOURCE = " + lenet5.Text.pythonString(sourceName) + "\n"
                + "WEIGHTS = " + lenet5.Text.pythonString(weightsFile) + "\n\n"
                + "model = " + torchText + "\n\n"
                + "_weights = os.path.join(os.path.dirname(os.path.abspath(__file__)), WEIGHTS)\n"
                + "model.load_state_dict(torch.load(_weights, weights_only=True))\n"
                + "model.eval()\n";
    }
}
