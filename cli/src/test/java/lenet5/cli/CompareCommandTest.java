package lenet5.cli;

import lenet5.Lenet5;
import lenet5.layers.Conv2d;
import lenet5.layers.Dense;
import lenet5.layers.Layer;
import lenet5.layout.WeightLayouts;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code compare} must pass a correct conversion and catch the two classic mistakes of a
 * hand-written PyTorch-to-Keras copier: the missing Flatten permutation and kernels transposed
 * with {@code np.transpose(w)} (no axes).
 */
class CompareCommandTest {
    static final Path FLAT400 = TestFiles.testdata().resolve("torch/lenet5_flat400.pt");

    @TempDir
    Path tmp;

    @Test
    void correctConversionIsTheSame() {
        Path h5 = tmp.resolve("flat400.h5");
        assertEquals(0, Cli.run("convert", FLAT400.toString(), h5.toString()).exit());
        Cli r = Cli.run("compare", FLAT400.toString(), h5.toString(), "--samples", "32", "--seed", "7");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.figure("max_abs_diff") <= 1e-5);
        assertTrue(r.out().contains("argmax_agreement: 32/32"), r.out());
        assertTrue(r.out().contains("layer by layer:"), r.out());
        r.figure("max_rel_diff");
    }

    @Test
    void missingFlattenPermutationIsCaught() {
        // What a copier that forgets Flatten's (C,H,W) vs (H,W,C) order writes into the Keras file.
        Path bad = badCopy("no-permutation.h5", (layer, index) -> layer instanceof Dense d && index.flattened != null
                ? d.withWeights(List.of(WeightLayouts.denseColumnsFromHwc(d.weight(), index.flattened), d.bias())) : layer);
        Cli r = Cli.run("compare", FLAT400.toString(), bad.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.figure("max_abs_diff") > 1e-3, r.out());
        assertTrue(r.out().contains("result: DIFFERENT"));
    }

    @Test
    void kernelsTransposedWithoutAxesAreCaught() {
        // np.transpose(w) on (out,in,kh,kw) gives (kw,kh,in,out): stored as Keras (kh,kw,in,out), kh and kw swap.
        Path bad = badCopy("transposed.h5", (layer, index) -> layer instanceof Conv2d c
                ? c.withWeights(c.bias() == null ? List.of(c.weight().permute(0, 1, 3, 2))
                        : List.of(c.weight().permute(0, 1, 3, 2), c.bias())) : layer);
        Cli r = Cli.run("compare", FLAT400.toString(), bad.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        // The layer-by-layer table shows where it goes wrong: already at the first convolution.
        String firstConv = r.out().lines().filter(l -> l.contains("Conv2d")).findFirst().orElseThrow();
        assertTrue(Double.parseDouble(firstConv.trim().split("\\s+")[firstConv.trim().split("\\s+").length - 2]) > 1e-3, firstConv);
    }

    @Test
    void jsonOutputHasTheFigures() {
        Cli r = Cli.run("compare", FLAT400.toString(), TestFiles.testdata().resolve("torch/lenet5_flat400_state_dict.pt").toString(),
                "--arch-b", "@" + tmpArch(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"max_abs_diff\" : 0.0"), r.out());
        assertTrue(r.out().contains("\"within_tolerance\" : true"), r.out());
    }

    @Test
    void differentInputShapesAreAnError() {
        Cli r = Cli.run("compare", FLAT400.toString(), TestFiles.testdata().resolve("torch/lenet5_odd.pt").toString(),
                "--input-shape", "3x32x30");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: "), r.err());
    }

    private Path tmpArch() {
        try {
            java.util.Properties p = new java.util.Properties();
            try (var in = java.nio.file.Files.newBufferedReader(TestFiles.testdata().resolve("torch/lenet5_flat400_state_dict.properties"))) {
                p.load(in);
            }
            Path f = tmp.resolve("arch.txt");
            java.nio.file.Files.writeString(f, p.getProperty("architecture"));
            return f;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    record Where(int index, Shape flattened) {
    }

    /** Saves lenet5_flat400 as .h5 after a deliberate mistake applied to each layer. */
    private Path badCopy(String name, BiFunction<Layer, Where, Layer> mistake) {
        Sequential m = Lenet5.load(FLAT400);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) {
            layers.add(mistake.apply(m.layers().get(i), new Where(i, m.flattenedMapFeeding(i))));
        }
        Path out = tmp.resolve(name);
        Lenet5.save(m.withLayers(layers), out);
        return out;
    }
}
