package lenet5.layers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PaddingTest {
    // Expected values from TensorFlow's documented 'same' rule: out = ceil(in / stride), extra pixel bottom/right.
    @Test
    void sameWithOddKernelIsSymmetric() {
        assertEquals(Padding.symmetric(2, 2), Padding.same(28, 28, 5, 5, 1, 1));
    }

    @Test
    void sameWithEvenKernelPutsTheExtraPixelBottomRight() {
        assertEquals(new Padding(0, 1, 0, 1), Padding.same(28, 28, 2, 2, 1, 1));
        assertEquals(new Padding(0, 1, 0, 1), Padding.same(27, 27, 2, 2, 2, 2));
        assertEquals(Padding.NONE, Padding.same(28, 28, 2, 2, 2, 2));
    }
}
