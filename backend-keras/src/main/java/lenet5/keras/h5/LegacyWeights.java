package lenet5.keras.h5;

import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.Dataset;
import lenet5.CorruptFileException;
import lenet5.keras.Limits;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The weight layout of {@code model.save('x.h5')} and {@code save_weights('x.h5')} in every
 * generation from Keras 1 to Keras 3: a group lists its layers in the attribute
 * {@code layer_names}; each layer group lists its weights in {@code weight_names}, whose entries
 * are paths relative to the layer group ({@code convolution2d_1_W:0}, {@code conv2d/kernel:0},
 * {@code sequential/conv2d/kernel}). Order comes from these attributes, never from the HDF5
 * listing, which is alphabetical.
 */
public final class LegacyWeights {
    private LegacyWeights() {
    }

    /** Every layer listed in {@code layer_names} of {@code root}, in that order, with its weights (possibly none). */
    public static List<LayerWeights> read(Path file, Group root) {
        List<String> layerNames = H5.strings(file, root, "layer_names");
        if (layerNames == null) {
            throw new CorruptFileException(file, root.getPath() + " has no 'layer_names' attribute");
        }
        if (layerNames.size() > Limits.MAX_LAYERS) {
            throw new CorruptFileException(file, "layer_names lists " + layerNames.size() + " layers, over the limit of "
                    + Limits.MAX_LAYERS);
        }
        List<LayerWeights> result = new ArrayList<>(layerNames.size());
        for (String layer : layerNames) {
            Group g = H5.group(root, layer);
            if (g == null) {
                throw new CorruptFileException(file, "layer '" + layer + "' is in layer_names but " + root.getPath()
                        + " has no group of that name");
            }
            List<String> weightNames = H5.strings(file, g, "weight_names");
            List<StoredTensor> tensors = new ArrayList<>();
            for (String w : weightNames == null ? List.<String>of() : weightNames) {
                Node n = w.isEmpty() ? null : H5.node(g, w);
                if (!(n instanceof Dataset d)) {
                    throw new CorruptFileException(file, "layer '" + layer + "': weight '" + w + "' listed in weight_names is "
                            + (n == null ? "missing" : "not a dataset") + " (looked under " + g.getPath() + ")");
                }
                tensors.add(H5.tensor(file, d, w));
            }
            result.add(new LayerWeights(layer, tensors));
        }
        return result;
    }
}
