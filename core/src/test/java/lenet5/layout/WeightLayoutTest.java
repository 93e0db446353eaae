package lenet5.layout;

import lenet5.tensor.Shape;
import lenet5.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each typed layout applies the transform it describes, both ways. */
class WeightLayoutTest {
    private static Tensor random(int seed, int... shape) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = r.nextFloat() - 0.5f;
        }
        return t;
    }

    @Test
    void kerasConvIsHwio() {
        Tensor keras = random(1, 5, 3, 2, 7); // kh, kw, in, out
        Tensor canonical = WeightLayout.KERAS_CONV.toCanonical(keras);
        assertTrue(canonical.hasShape(7, 2, 5, 3));
        // element (o=6, i=1, y=4, x=2) is keras (4, 2, 1, 6)
        assertEquals(keras.data()[((4 * 3 + 2) * 2 + 1) * 7 + 6], canonical.data()[((6 * 2 + 1) * 5 + 4) * 3 + 2]);
        assertTrue(WeightLayout.KERAS_CONV.fromCanonical(canonical).bitEquals(keras));
        assertArrayEquals(new int[] {5, 3, 2, 7}, WeightLayout.KERAS_CONV.storedShape(7, 2, 5, 3));
        assertEquals("(kh,kw,in,out)", WeightLayout.KERAS_CONV.describe());
        assertEquals("transpose(2,3,1,0)", WeightLayout.PYTORCH_CONV.transformTo(WeightLayout.KERAS_CONV));
        assertEquals("transpose(3,2,0,1)", WeightLayout.KERAS_CONV.transformTo(WeightLayout.PYTORCH_CONV));
    }

    @Test
    void theanoKernelsAreFlipped() {
        Tensor stored = random(2, 4, 3, 3, 5);
        Tensor canonical = WeightLayout.THEANO_CONV.toCanonical(stored);
        // (o=3, i=2, y=0, x=4) holds stored (3, 2, 2, 0): rotated 180 degrees
        assertEquals(stored.data()[((3 * 3 + 2) * 3 + 2) * 5], canonical.data()[((3 * 3 + 2) * 3) * 5 + 4]);
        assertTrue(WeightLayout.THEANO_CONV.fromCanonical(canonical).bitEquals(stored));
        assertEquals("(out,in,kh,kw) theano", WeightLayout.THEANO_CONV.describe());
        assertEquals("transpose(2,3,1,0) + flip kh,kw", WeightLayout.THEANO_CONV.transformTo(WeightLayout.KERAS_CONV));
    }

    @Test
    void kerasDenseAfterFlattenReadsHwcColumns() {
        Shape map = Shape.chw(16, 5, 4);
        WeightLayout keras = WeightLayout.kerasDense(map);
        Tensor stored = random(3, 320, 10); // (in, out), rows in (H,W,C) order
        Tensor canonical = keras.toCanonical(stored);
        assertTrue(canonical.hasShape(10, 320));
        // canonical column (c=3, y=2, x=1) is stored row (y=2, x=1, c=3)
        int chw = (3 * 5 + 2) * 4 + 1, hwc = (2 * 4 + 1) * 16 + 3;
        assertEquals(stored.data()[hwc * 10 + 7], canonical.data()[7 * 320 + chw]);
        assertTrue(keras.fromCanonical(canonical).bitEquals(stored));
        assertEquals("transpose(1,0) + columns (C,H,W)->(H,W,C) of " + map, WeightLayout.PYTORCH_DENSE.transformTo(keras));
        assertEquals("transpose(1,0) + columns (H,W,C)->(C,H,W) of " + map, keras.transformTo(WeightLayout.PYTORCH_DENSE));
        assertEquals("identity", keras.transformTo(WeightLayout.kerasDense(map)));
        // A 1x1 map (or none) has nothing to permute.
        assertNull(WeightLayout.kerasDense(Shape.chw(120, 1, 1)).hwcColumns());
        assertEquals("transpose(1,0)", WeightLayout.PYTORCH_DENSE.transformTo(WeightLayout.kerasDense(null)));
    }

    @Test
    void vectorsAndPyTorchAreCanonical() {
        Tensor b = random(4, 6);
        assertTrue(WeightLayout.VECTOR.toCanonical(b).bitEquals(b));
        assertEquals("identity", WeightLayout.VECTOR.transformTo(WeightLayout.VECTOR));
        assertEquals(WeightLayout.PYTORCH_CONV, WeightLayout.pytorch(4));
        assertEquals(WeightLayout.PYTORCH_DENSE, WeightLayout.pytorch(2));
        assertEquals("(c)", WeightLayout.pytorch(1).describe());
    }
}
