package lenet5.torch;

import lenet5.CorruptFileException;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.SaveOptions;
import lenet5.UnsupportedFormatException;
import lenet5.io.AtomicFiles;
import lenet5.model.Sequential;
import lenet5.spi.ModelFormat;
import lenet5.torch.zip.LegacyArchive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    private static final int HEAD = 512;

    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public boolean canRead(Path file, byte[] head) {
        if (LegacyArchive.matches(head)) {
            return true;
        }
        if (!isZip(head)) {
            return false;
        }
        String first = firstEntryName(head);
        if (first != null && (first.equals("data.pkl") || first.matches("[^/]*/(data\\.pkl|data/.*|version|byteorder|\\.data/.*|code/.*|constants\\.pkl)"))) {
            return true;
        }
        String n = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".pt") || n.endsWith(".pth");
    }

    static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
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
    public Sequential read(Path file, LoadOptions options) {
        try {
            return new TorchReader(file, options == null ? LoadOptions.DEFAULTS : options).read(head(file));
        } catch (Lenet5Exception e) {
            throw Errors.withFile(e, file);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // A last resort: every known failure has its own message; this one means a reader bug met an odd file.
            throw new CorruptFileException(file, "cannot read this PyTorch file (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
    }

    private static byte[] head(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(HEAD);
        } catch (IOException e) {
            throw new CorruptFileException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> writeExtensions() {
        return List.of("pt", "pth");
    }

    @Override
    public void write(Sequential model, Path target, SaveOptions options) {
        String variant = options == null || options.variant() == null ? "state_dict" : options.variant().toLowerCase(Locale.ROOT);
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
            throw Errors.withFile(e, target);
        } catch (IOException e) {
            throw new Lenet5Exception(target, "cannot write: " + e.getMessage(), e);
        }
    }
}
