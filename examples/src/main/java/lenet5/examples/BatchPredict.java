package lenet5.examples;

import lenet5.Lenet5;
import lenet5.io.Idx;
import lenet5.layout.Layout;
import lenet5.model.Predictor;
import lenet5.model.Sequential;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public class BatchPredict {
    public static void main(String[] args) throws Exception {
        Sequential model = Lenet5.load(Path.of(args[0]));                   // loaded once, shared by every thread
        float[] images = Idx.readImages(Path.of(args[1])).toFloats(true);  // MNIST idx3-ubyte, scaled to [0, 1]
        int[] labels = Idx.readLabels(Path.of(args[2]));
        int threads = 4, size = model.inputShape().size(), n = labels.length;

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> correct = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = n * t / threads, to = n * (t + 1) / threads;
            correct.add(pool.submit(() -> {
                try (Predictor p = model.newPredictor(Layout.NCHW)) {        // one predictor per thread
                    float[] out = new float[(to - from) * p.outputSize()];
                    p.predict(images, from * size, to - from, out, 0);       // a whole batch, no allocation
                    int right = 0;
                    for (int i = from; i < to; i++) {
                        right += Predictor.argmax(out, (i - from) * p.outputSize(), p.outputSize()) == labels[i] ? 1 : 0;
                    }
                    return right;
                }
            }));
        }
        int right = 0;
        for (Future<Integer> f : correct) {
            right += f.get();
        }
        pool.shutdown();
        System.out.printf("accuracy: %.4f (%d/%d)%n", (double) right / n, right, n);
    }
}
