package lenet5.model;

import lenet5.layout.WeightLayout;

import java.util.List;

/**
 * A weight as the source file stores it, before conversion to the canonical layout; what
 * {@code inspect} shows.
 *
 * @param name   the name in the file ({@code 0.weight}, {@code conv2d/kernel:0})
 * @param shape  the shape in the file
 * @param dtype  the stored type ({@code float32}, {@code float16}, {@code bfloat16}, {@code float64})
 * @param layout how the file lays it out, relative to the canonical convention
 * @param layer  the index of the model layer it was bound to
 */
public record StoredWeight(String name, List<Integer> shape, String dtype, WeightLayout layout, int layer) {
}
