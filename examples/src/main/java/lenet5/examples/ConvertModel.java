package lenet5.examples;

import lenet5.Lenet5;
import lenet5.compare.Comparison;
import lenet5.model.Sequential;

import java.nio.file.Path;

public class ConvertModel {
    public static void main(String[] args) {
        Path pt = Path.of(args[0]), h5 = Path.of(args[1]);    // e.g. lenet5.pt lenet5.h5
        Sequential model = Lenet5.convert(pt, h5);             // PyTorch -> Keras: the format comes from the extension

        // Verify: the written file, read back, gives the same outputs on 16 random inputs.
        Comparison check = Lenet5.compare(model, Lenet5.load(h5), 16, 0);
        System.out.println(check.output());                    // max_abs_diff, max_rel_diff, argmax_agreement
        if (!check.within(Comparison.DEFAULT_TOLERANCE)) {
            System.exit(1);
        }
    }
}
