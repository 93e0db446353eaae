package lenet5.examples;

import lenet5.Lenet5;
import lenet5.compare.Comparison;

import java.nio.file.Path;

public class CompareModels {
    public static void main(String[] args) {
        // Any two models with the same input: a .pt and the .h5 made from it, two checkpoints, ...
        Comparison c = Lenet5.compare(Lenet5.load(Path.of(args[0])), Lenet5.load(Path.of(args[1])), 64, 7);
        System.out.println("outputs: " + c.output());
        for (Comparison.LayerDiff layer : c.layers()) {       // layer by layer, where the layers line up
            System.out.println(layer.nameA() + " / " + layer.nameB() + ": " + layer.diff());
        }
    }
}
