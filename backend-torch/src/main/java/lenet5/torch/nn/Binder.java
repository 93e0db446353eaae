package lenet5.torch.nn;

import lenet5.ArchitectureMismatchException;
import lenet5.layers.BatchNorm;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Layer;
import lenet5.layout.WeightLayout;
import lenet5.model.ModelInfo;
import lenet5.model.Sequential;
import lenet5.model.StoredWeight;
import lenet5.tensor.Tensor;
import lenet5.torch.storage.StorageSource;
import lenet5.torch.storage.TensorReader;
import lenet5.torch.storage.TensorRef;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Puts a file's tensors into a model: by module and name for models read from the file, in order for weights-only files. */
public final class Binder {
    /** A tensor with its key in the file. */
    public record Named(String name, TensorRef ref) {
    }

    /** A model with its weights and what {@code inspect} shows about them. */
    public record Bound(Sequential model, List<StoredWeight> stored) {
        public Sequential withInfo(String format, String version) {
            return model.withInfo(new ModelInfo(format, version, lenet5.layout.Layout.NCHW, stored));
        }
    }

    private Binder() {
    }

    /** Binds each layer's tensors from the module it was built from. */
    public static Bound byModule(Path file, Sequential zero, List<LayerFactory.Built> built, StorageSource source) {
        List<Tensor> weights = new ArrayList<>();
        List<StoredWeight> stored = new ArrayList<>();
        for (int i = 0; i < built.size(); i++) {
            LayerFactory.Built b = built.get(i);
            List<Tensor> zeros = b.layer().weights();
            for (int k = 0; k < b.tensorNames().size(); k++) {
                String t = b.tensorNames().get(k);
                if (t == null) {
                    weights.add(zeros.get(k)); // what the module has no tensor for (BatchNorm affine=False: 1 and 0)
                    continue;
                }
                TensorRef ref = b.module().tensors().get(t);
                String key = TorchModule.join(b.module().path(), t);
                if (ref == null) {
                    throw new ArchitectureMismatchException(file, b.module().label() + ": " + b.module().type()
                            + " has no tensor '" + t + "' (" + key + ")");
                }
                // Shapes before data: only what the model (within its budget) holds is ever materialized.
                if (!Arrays.equals(ref.shape(), zeros.get(k).shape())) {
                    throw new ArchitectureMismatchException(file, lenet5.Text.quote(key) + " has shape " + Arrays.toString(ref.shape())
                            + ", the layer needs " + Arrays.toString(zeros.get(k).shape()));
                }
                weights.add(TensorReader.read(file, key, ref, source));
                stored.add(stored(key, ref, i));
            }
        }
        return new Bound(zero.withWeights(weights), stored);
    }

    /**
     * Binds tensors to an architecture in order, checking every shape. {@code num_batches_tracked}
     * counters and the {@code n_averaged} counter of {@code torch.optim.swa_utils.AveragedModel}
     * are skipped: they are state, not weights.
     */
    public static Bound inOrder(Path file, Sequential architecture, List<Named> tensors, StorageSource source) {
        List<Named> file1 = weightsOnly(tensors);
        List<String> expectedNames = torchNames(architecture);
        List<Tensor> expected = new ArrayList<>();
        List<Integer> layerOf = new ArrayList<>();
        for (int i = 0; i < architecture.layers().size(); i++) {
            Layer l = architecture.layers().get(i);
            for (int k : stored(l)) {
                expected.add(l.weights().get(k));
                layerOf.add(i);
            }
        }
        boolean fits = file1.size() == expected.size();
        for (int i = 0; fits && i < expected.size(); i++) {
            fits = Arrays.equals(file1.get(i).ref().shape(), expected.get(i).shape());
        }
        if (!fits) {
            throw new ArchitectureMismatchException(file, mismatch(expectedNames, expected, file1));
        }
        List<Tensor> weights = new ArrayList<>();
        List<StoredWeight> stored = new ArrayList<>();
        int next = 0;
        for (Layer l : architecture.layers()) {
            List<Integer> own = stored(l);
            for (int k = 0; k < l.weights().size(); k++) {
                if (!own.contains(k)) {
                    weights.add(l.weights().get(k)); // BatchNorm affine=False: weight 1, bias 0, not in the file
                    continue;
                }
                Named n = file1.get(next);
                weights.add(TensorReader.read(file, n.name(), n.ref(), source));
                stored.add(stored(n.name(), n.ref(), layerOf.get(next)));
                next++;
            }
        }
        return new Bound(architecture.withWeights(weights), stored);
    }

    /** Which of a layer's {@link Layer#weights()} a PyTorch file stores (all but a BatchNorm's without affine parameters). */
    private static List<Integer> stored(Layer l) {
        int n = l.weights().size();
        return l instanceof BatchNorm b && !b.affine() ? List.of(2, 3) : java.util.stream.IntStream.range(0, n).boxed().toList();
    }

    public static List<Named> weightsOnly(List<Named> tensors) {
        return tensors.stream().filter(n -> !n.name().endsWith("num_batches_tracked") && !n.name().equals("n_averaged")).toList();
    }

    /** The state_dict keys PyTorch would give the architecture's weights ({@code 0.weight}, {@code 0.bias}, ...). */
    public static List<String> torchNames(Sequential model) {
        List<String> names = new ArrayList<>();
        for (Layer l : model.layers()) {
            for (String t : tensorNames(l)) {
                names.add(TorchModule.join(l.name(), t));
            }
        }
        return names;
    }

    /** A canonical layer's tensors under PyTorch's names, in {@link Layer#weights()} order (only those a file stores). */
    public static List<String> tensorNames(Layer l) {
        if (l instanceof Conv2d c) {
            return c.bias() == null ? List.of("weight") : List.of("weight", "bias");
        }
        if (l instanceof Dense d) {
            return d.bias() == null ? List.of("weight") : List.of("weight", "bias");
        }
        if (l instanceof BatchNorm b) {
            return b.affine() ? List.of("weight", "bias", "running_mean", "running_var") : List.of("running_mean", "running_var");
        }
        return List.of();
    }

    /** One line: the counts, the first difference, and both lists capped (see {@link lenet5.Text#list}). */
    private static String mismatch(List<String> names, List<Tensor> expected, List<Named> found) {
        int first = 0;
        while (first < expected.size() && first < found.size() && Arrays.equals(expected.get(first).shape(), found.get(first).ref().shape())) {
            first++;
        }
        String e = first < expected.size() ? names.get(first) + " " + Arrays.toString(expected.get(first).shape()) : "nothing more";
        String f = first < found.size() ? lenet5.Text.quote(found.get(first).name()) + " " + Arrays.toString(found.get(first).ref().shape()) : "nothing more";
        List<Integer> idx = java.util.stream.IntStream.range(0, expected.size()).boxed().toList();
        return String.format("the file's tensors do not fit the architecture (they are bound in order): the architecture has %,d weight "
                        + "tensors, the file %,d; the first difference is #%d, where the architecture expects %s and the file has %s "
                        + "(architecture: [%s]; file: [%s])", expected.size(), found.size(), first, e, f,
                lenet5.Text.list(idx, i -> names.get(i) + " " + Arrays.toString(expected.get(i).shape())),
                lenet5.Text.list(found, n -> lenet5.Text.quote(n.name()) + " " + Arrays.toString(n.ref().shape())));
    }

    static StoredWeight stored(String key, TensorRef ref, int layer) {
        List<Integer> shape = Arrays.stream(ref.shape()).boxed().toList();
        return new StoredWeight(key, shape, ref.dtype().pyName(), WeightLayout.pytorch(ref.rank()), layer);
    }
}
