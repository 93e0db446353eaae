package lenet5.keras.write;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import lenet5.Lenet5Exception;
import lenet5.UnrepresentableModelException;
import lenet5.io.AtomicFiles;
import lenet5.keras.archive.KerasArchive;
import lenet5.keras.config.Json;
import lenet5.keras.h5.H5;
import lenet5.keras.h5.Keras3Paths;
import lenet5.model.Sequential;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes Keras files with jhdf 0.13, within what that version writes correctly: groups, float
 * datasets and fixed-length UTF-8 string attributes; no empty arrays (so weightless layers are
 * left out of {@code layer_names}, which Keras and Deeplearning4j allow: they match only layers
 * with weights), every group with a dataset below it, and attributes well under the 64 KiB object
 * header that jhdf overflows silently.
 */
public final class KerasWriter {
    /** What the legacy .h5 claims to be: the tf.keras 2 form, which Keras 3, tf.keras 2 and Deeplearning4j all read. */
    static final String H5_KERAS_VERSION = "2.7.0";
    static final String H5_BACKEND = "tensorflow";
    /** The Keras version whose .keras layout is written. */
    static final String KERAS3_VERSION = "3.11.3";
    /** model_config must fit one object header with the other root attributes (jhdf corrupts from about 59.5 KB). */
    static final int MAX_H5_CONFIG_BYTES = 56_000;

    private KerasWriter() {
    }

    /** The legacy {@code model.save('x.h5')} layout. */
    public static void writeH5(Sequential model, Path target) {
        List<KerasLayer> layers = KerasExport.layers(model, target, false);
        List<KerasLayer> weighted = weighted(layers, target, "h5");
        String config = ConfigJson.of(layers, KerasExport.kerasShape(model.inputShape()), ConfigJson.Dialect.TF_KERAS_2);
        int bytes = config.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_H5_CONFIG_BYTES) {
            throw new UnrepresentableModelException(target, "the model config is " + bytes + " bytes; an .h5 written by jhdf "
                    + "holds at most " + MAX_H5_CONFIG_BYTES + " in its model_config attribute. Save as .keras instead");
        }
        viaTemporaryFile(target, f -> {
            f.putAttribute("keras_version", H5_KERAS_VERSION);
            f.putAttribute("backend", H5_BACKEND);
            f.putAttribute("model_config", config);
            WritableGroup mw = f.putGroup("model_weights");
            mw.putAttribute("keras_version", H5_KERAS_VERSION);
            mw.putAttribute("backend", H5_BACKEND);
            mw.putAttribute("layer_names", weighted.stream().map(KerasLayer::name).toArray(String[]::new));
            for (KerasLayer l : weighted) {
                WritableGroup g = mw.putGroup(l.name());
                g.putAttribute("weight_names", l.weights().stream().map(w -> l.name() + "/" + w.name() + ":0").toArray(String[]::new));
                WritableGroup vars = g.putGroup(l.name());
                for (KerasLayer.Weight w : l.weights()) {
                    vars.putDataset(w.name() + ":0", H5.nested(w.value()));
                }
            }
        }, tmp -> {
            AtomicFiles.write(target, out -> Files.copy(tmp, out));
            return null;
        });
    }

    /**
     * A Keras 3 {@code .keras} zip: metadata.json, config.json, model.weights.h5 with each layer's
     * variables at {@code <class-and-counter path>/vars/N} ({@link Keras3Paths}), where Keras 3
     * looks for them whatever the layers are named.
     */
    public static void writeKeras(Sequential model, Path target) {
        List<KerasLayer> layers = KerasExport.layers(model, target, true);
        List<String> paths = Keras3Paths.paths("", layers.stream().map(KerasLayer::className).toList());
        Map<String, KerasLayer> weighted = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            if (!layers.get(i).weights().isEmpty()) {
                weighted.put(paths.get(i), layers.get(i));
            }
        }
        byte[] config = ConfigJson.of(layers, KerasExport.kerasShape(model.inputShape()), ConfigJson.Dialect.KERAS_3)
                .getBytes(StandardCharsets.UTF_8);
        var meta = Json.mapper().createObjectNode().put("keras_version", KERAS3_VERSION)
                .put("date_saved", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")));
        byte[] metadata = meta.toString().getBytes(StandardCharsets.UTF_8);
        byte[] weights = keras3Weights(weighted, target);
        try {
            AtomicFiles.write(target, out -> {
                ZipOutputStream zip = new ZipOutputStream(out);
                stored(zip, KerasArchive.METADATA, metadata, true);
                stored(zip, KerasArchive.CONFIG, config, true);
                stored(zip, KerasArchive.WEIGHTS, weights, false);
                zip.finish();
            });
        } catch (IOException e) {
            throw new Lenet5Exception(target, "cannot write: " + e.getMessage(), e);
        }
    }

    private static byte[] keras3Weights(Map<String, KerasLayer> weighted, Path target) {
        return viaTemporaryFile(target, f -> {
            if (!weighted.isEmpty()) {
                WritableGroup root = f.putGroup("layers");
                for (Map.Entry<String, KerasLayer> e : weighted.entrySet()) {
                    KerasLayer l = e.getValue();
                    WritableGroup vars = root.putGroup(e.getKey().substring("layers/".length())).putGroup("vars");
                    vars.putAttribute("name", l.name());
                    for (int k = 0; k < l.weights().size(); k++) {
                        vars.putDataset(Integer.toString(k), H5.nested(l.weights().get(k).value()));
                    }
                }
            }
        }, Files::readAllBytes);
    }

    /** Builds an HDF5 file with jhdf. */
    @FunctionalInterface
    private interface Hdf5Content {
        void writeTo(WritableHdfFile f);
    }

    /** Uses the finished HDF5 file. */
    @FunctionalInterface
    private interface Hdf5Use<T> {
        T apply(Path h5) throws IOException;
    }

    /**
     * jhdf writes a file at close time and, if that fails (a full disk), leaves its channel open:
     * the file's space stays in use until the garbage collector closes it. So jhdf writes to a
     * private file in the system's temporary directory, never on the target's file system; the
     * bytes then reach the target through {@link AtomicFiles}, which closes what it opens.
     */
    private static <T> T viaTemporaryFile(Path target, Hdf5Content content, Hdf5Use<T> use) {
        try {
            Path tmp = Files.createTempFile("lenet5-", ".h5");
            try {
                Files.delete(tmp); // jhdf does not truncate an existing file
                try (WritableHdfFile f = HdfFile.write(tmp)) {
                    content.writeTo(f);
                }
                return use.apply(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new Lenet5Exception(target, "cannot write: " + e.getMessage(), e);
        } catch (Lenet5Exception e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Lenet5Exception(target, "the HDF5 writer failed: " + e, e);
        }
    }

    private static List<KerasLayer> weighted(List<KerasLayer> layers, Path target, String format) {
        List<KerasLayer> w = new ArrayList<>();
        layers.stream().filter(l -> !l.weights().isEmpty()).forEach(w::add);
        if (w.isEmpty()) {
            // layer_names would be an empty array, which jhdf 0.13 cannot write.
            throw new UnrepresentableModelException(target, "a model without weights cannot be written as ." + format);
        }
        return w;
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data, boolean fixedTime) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        // Keras stamps the JSON entries 1980-01-01 and the weights with the save time.
        e.setTimeLocal(fixedTime ? LocalDateTime.of(1980, 1, 1, 0, 0) : LocalDateTime.now());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
