package lenet5.torch;

import lenet5.CorruptFileException;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.SaveOptions;
import lenet5.UnsupportedFormatException;
import lenet5.io.AtomicFiles;
import lenet5.model.Sequential;
import lenet5.spi.Companion;
import lenet5.io.ZipReader;
import lenet5.spi.ModelFormat;
import lenet5.spi.Source;
import lenet5.tensor.Shape;
import lenet5.torch.nn.TorchSyntax;
import lenet5.torch.zip.LegacyArchive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * PyTorch files: reads {@code torch.save} zip archives (full models, state_dicts, checkpoints),
 * the legacy non-zip format and TorchScript archives; writes state_dict {@code .pt}/{@code .pth}
 * files that {@code torch.load(path, weights_only=True)} accepts.
 *
 * <p>Pickles are read as data: only allowlisted globals have a meaning, nothing is instantiated
 * or executed. Every failure is one {@link Lenet5Exception} naming the file.
 */
public final class TorchFormat implements ModelFormat {
    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public boolean canRead(Source source) {
        byte[] head = source.head();
        if (LegacyArchive.matches(head)) {
            return true;
        }
        if (!ZipReader.isZip(head)) {
            return false;
        }
        String first = firstEntryName(head);
        if (first != null && isTorchEntry(first)) {
            return true;
        }
        String n = source.name().toLowerCase(Locale.ROOT);
        return n.endsWith(".pt") || n.endsWith(".pth");
    }

    /** data.pkl, or ARCHIVE/ followed by what torch.save and torch.jit.save write first (no regex: every start pays for one). */
    private static boolean isTorchEntry(String name) {
        if (name.equals("data.pkl")) {
            return true;
        }
        int slash = name.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String rest = name.substring(slash + 1);
        return rest.equals("data.pkl") || rest.equals("version") || rest.equals("byteorder") || rest.equals("constants.pkl")
                || rest.startsWith("data/") || rest.startsWith(".data/") || rest.startsWith("code/");
    }

    /** The name in the first local file header, if the head holds it. */
    private static String firstEntryName(byte[] head) {
        if (head.length < 30) {
            return null;
        }
        int len = (head[26] & 0xff) | (head[27] & 0xff) << 8;
        return head.length < 30 + len ? null : new String(head, 30, len, StandardCharsets.UTF_8);
    }

    @Override
    public Sequential read(Source source, LoadOptions options) {
        try {
            return new TorchReader(source, options == null ? LoadOptions.DEFAULTS : options).read();
        } catch (Lenet5Exception e) {
            throw e.at(source.name(), source.path());
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // A last resort: every known failure has its own message; this one means a reader bug met an odd file.
            throw new CorruptFileException(null, "cannot read this PyTorch file (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e).at(source.name(), source.path());
        }
    }

    @Override
    public List<String> writeExtensions() {
        return List.of("pt", "pth");
    }

    /** PyTorch constructor text; {@code null} for JSON (a Keras {@code model.to_json()}). */
    @Override
    public Sequential parseArchitecture(String text, Shape inputShape) {
        return text.stripLeading().startsWith("{") ? null : TorchSyntax.parse(text, inputShape);
    }

    @Override
    public String architectureText(Sequential model) {
        return TorchSyntax.format(model);
    }

    /** A state_dict needs its module: the loader script {@code x.py} next to {@code x.pt}. A full-model pickle holds it. */
    @Override
    public List<Companion> companions(Path target, SaveOptions options) {
        return variant(options).equals("state_dict") ? List.of(new Companion(LoaderScript.path(target), LoaderScript.DESCRIPTION)) : List.of();
    }

    @Override
    public void writeCompanions(Sequential model, Path target, SaveOptions options, String sourceName) {
        if (!companions(target, options).isEmpty()) {
            LoaderScript.write(model, target, sourceName);
        }
    }

    private static String variant(SaveOptions options) {
        return options == null || options.variant() == null ? "state_dict" : options.variant().toLowerCase(Locale.ROOT);
    }

    @Override
    public void write(Sequential model, Path target, SaveOptions options) {
        String variant = variant(options);
        if (!variant.equals("state_dict") && !variant.equals("full")) {
            throw new UnsupportedFormatException(target, "unknown PyTorch variant '" + options.variant() + "'; use 'state_dict' "
                    + "(the default: torch.load(path, weights_only=True) + load_state_dict into the torch.nn.Sequential that "
                    + "TorchSyntax.format prints) or 'full' (torch.save(model): torch.load(path, weights_only=False) returns the module)");
        }
        String name = target.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        String folder = stem.isEmpty() || !stem.matches("[A-Za-z0-9_.-]+") ? "archive" : stem;
        try {
            AtomicFiles.write(target, out -> {
                if (variant.equals("full")) {
                    TorchWriter.writeFullModel(model, folder, out);
                } else {
                    TorchWriter.writeStateDict(model, folder, out);
                }
            });
        } catch (Lenet5Exception e) {
            throw e.at(target.toString(), target);
        } catch (IOException e) {
            throw new Lenet5Exception(target, "cannot write: " + e.getMessage(), e);
        }
    }
}
