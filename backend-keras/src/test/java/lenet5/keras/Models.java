package lenet5.keras;

import lenet5.model.Sequential;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Every model the fixtures hold, read by this backend, for tests that run over all of them. */
final class Models {
    private Models() {
    }

    record Source(String name, Supplier<Sequential> model) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Source> all() {
        List<Source> s = new ArrayList<>();
        for (String f : List.of("lenet5_seeded_k3.h5", "lenet5_seeded_k3.keras")) {
            s.add(file(Fixtures.keras3(f)));
        }
        Path weights = Fixtures.keras3("lenet5_seeded_k3.weights.h5");
        s.add(new Source("keras3/lenet5_seeded_k3.weights.h5", () -> Fixtures.load(weights, Fixtures.seededLenet())));
        for (String f : List.of("4daJKong_Keras_LeNet-5_model_lenet-5.h5", "MLpaper_LeNet5_LeNet5.h5",
                "Rye-Catcher_LeNet-5__Keras_MNIST_lenet.h5", "yang-ze-kang_LeNet5_lenet.h5", "jambrr_lenet-5_lenet.keras",
                "Lowca03_Photons-and-electrons-classification_lenet5.keras")) {
            s.add(file(Fixtures.thirdParty(f)));
        }
        for (String f : List.of("weights_conv2d_tensorflow_1.h5", "weights_conv2d_tensorflow_2.h5", "weights_conv2d_theano_1.h5",
                "weights_conv2d_theano_2.h5", "weights_dense_tensorflow_1.h5", "weights_dense_tensorflow_2.h5",
                "fullconfigs_cnn_cnn_batch_norm.h5")) {
            s.add(file(Fixtures.dl4j(f)));
        }
        s.add(withArchitecture("examples_mnist_mlp_mnist_mlp_tf_keras_2_weights.h5", "mnist_mlp_keras2.json"));
        s.add(withArchitecture("examples_mnist_cnn_mnist_cnn_tf_keras_1_weights.h5", "mnist_cnn_tf_keras1.json"));
        s.add(withArchitecture("examples_mnist_cnn_mnist_cnn_th_keras_1_weights.h5", "mnist_cnn_th_keras1.json"));
        return s;
    }

    private static Source file(Path p) {
        return new Source(p.getParent().getFileName() + "/" + p.getFileName(), () -> Fixtures.load(p));
    }

    private static Source withArchitecture(String weights, String config) {
        return new Source("dl4j/" + weights, () -> Fixtures.load(Fixtures.dl4j(weights), Resources.architecture(config)));
    }
}
