package lenet5.layout;

import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightLayoutsTest {
    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = r.nextFloat() - 0.5f;
        }
        return t;
    }

    @Test
    void convKernelAxesMoveAsDocumented() {
        Tensor keras = random(new Random(1), 5, 3, 2, 7); // kh, kw, in, out
        Tensor torch = WeightLayouts.convFromKeras(keras);
        assertTrue(torch.hasShape(7, 2, 5, 3));
        // element (o=6, i=1, y=4, x=2) is keras (4, 2, 1, 6)
        assertEquals(keras.data()[((4 * 3 + 2) * 2 + 1) * 7 + 6], torch.data()[((6 * 2 + 1) * 5 + 4) * 3 + 2]);
        assertTrue(WeightLayouts.convToKeras(torch).bitEquals(keras));
    }

    @Test
    void denseKernelIsTransposed() {
        Tensor keras = random(new Random(2), 120, 84);
        Tensor torch = WeightLayouts.denseFromKeras(keras);
        assertTrue(torch.hasShape(84, 120));
        assertEquals(keras.data()[7 * 84 + 3], torch.data()[3 * 120 + 7]);
        assertTrue(WeightLayouts.denseToKeras(torch).bitEquals(keras));
    }

    @Test
    void flattenPermutationMakesHwcWeightsReadChwFeatures() {
        Random r = new Random(3);
        Shape map = Shape.chw(16, 5, 5);
        float[] chw = random(r, 400).data();
        float[] hwc = WeightLayouts.nchwToNhwc(chw, 1, map);
        Tensor kerasOrder = random(r, 10, 400); // (out, in) reading HWC-ordered features
        Tensor canonical = WeightLayouts.denseColumnsFromHwc(kerasOrder, map);
        for (int o = 0; o < 10; o++) {
            double a = 0, b = 0;
            for (int i = 0; i < 400; i++) {
                a += kerasOrder.data()[o * 400 + i] * (double) hwc[i];
                b += canonical.data()[o * 400 + i] * (double) chw[i];
            }
            assertEquals(a, b, 1e-9);
        }
        assertTrue(WeightLayouts.denseColumnsToHwc(canonical, map).bitEquals(kerasOrder));
    }

    @Test
    void flattenOfOneByOneMapNeedsNoPermutation() {
        Tensor w = random(new Random(4), 84, 120);
        assertTrue(WeightLayouts.denseColumnsFromHwc(w, Shape.chw(120, 1, 1)) == w);
    }

    @Test
    void theanoKernelsAreFlipped() {
        Tensor k = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 2, 3);
        assertTrue(WeightLayouts.convFromTheano(k).bitEquals(Tensor.of(new float[] {6, 5, 4, 3, 2, 1}, 1, 1, 2, 3)));
    }

    @Test
    void activationsRoundTripBetweenLayouts() {
        Shape s = Shape.chw(3, 4, 5);
        float[] x = random(new Random(5), 2 * 60).data();
        float[] back = WeightLayouts.nhwcToNchw(WeightLayouts.nchwToNhwc(x, 2, s), 2, s);
        assertTrue(Tensor.of(back, 120).bitEquals(Tensor.of(x, 120)));
    }
}
