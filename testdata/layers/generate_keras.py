#!/usr/bin/python3
"""Small Keras models that use the layer vocabulary beyond LeNet-5, with Keras's own outputs.

Run with real Keras 3.11.3 (../shared/tools/keras3) on Debian's python3 with torch:
  PYTHONPATH=../shared/tools/keras3/site KERAS_BACKEND=torch /usr/bin/python3 testdata/layers/generate_keras.py
Writes into testdata/layers/keras/, for every model M:
  M.keras          model.save (Keras 3 zip)
  M.h5             model.save (legacy HDF5, Keras 3 config)
  M.weights.h5     model.save_weights, with M.json = model.to_json() as its architecture
  M.properties     the files, input/output shapes, which conversions Keras/PyTorch cannot express
  M.inputs.f32     8 inputs (NHWC, or the model's own input shape), M.outputs.f32 Keras's outputs
and k1_keras2.h5: k1's legacy file with its model_config rewritten in the tf.keras 2 form (dtype
names, batch_input_shape, LeakyReLU 'alpha', keras_version 2.7.0), which Keras 3 still loads; its
outputs are checked here to equal k1's.
"""

import json
import os
import shutil

import h5py
import numpy as np
import torch
import keras

torch.set_num_threads(1)  # one summation order, so runs repeat bit for bit
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "keras")
N = 8


def k1():
    """Raw 0..255 pixels of shape 28x28: Reshape, Rescaling, 'same' pooling with uneven padding, global pooling."""
    return keras.Sequential([
        keras.Input((28, 28)),
        layers.Reshape((28, 28, 1)),
        layers.Rescaling(1 / 255.0),
        layers.Conv2D(4, 3, padding="same", activation="swish"),
        layers.MaxPooling2D(3, strides=2, padding="same"),   # 28 -> 14, padding bottom/right only
        layers.Conv2D(6, 4, activation="gelu"),               # 14 -> 11
        layers.LeakyReLU(negative_slope=0.15),
        layers.AveragePooling2D(2, padding="same"),           # 11 -> 6, the padded pixel does not count
        layers.SpatialDropout2D(0.3),
        layers.ELU(alpha=0.5),
        layers.GlobalAveragePooling2D(),
        layers.Dense(16),
        layers.BatchNormalization(),
        layers.Activation("softsign"),
        layers.Dense(10, activation="log_softmax"),
    ], name="k1")


def k2():
    """Normalization (adapted), ReLU(max_value), Identity, hard_sigmoid (Keras 3's), global max pooling, relu6."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Normalization(axis=-1),
        layers.Conv2D(4, 5),                                   # 24
        layers.ReLU(max_value=6.0),
        layers.MaxPooling2D(2),                                # 12
        layers.Conv2D(6, 3, activation="softplus"),            # 10
        layers.Identity(),
        layers.AveragePooling2D(3, strides=3, padding="same"), # 10 -> 4, one padded pixel each side, not counted
        layers.Activation("hard_sigmoid"),
        layers.GlobalMaxPooling2D(),
        layers.Dense(12, activation="elu"),
        layers.Activation("leaky_relu"),
        layers.Dense(12, activation="relu6"),
        layers.Dense(10),
        layers.Softmax(),
    ], name="k2")


def k3():
    """Two input channels (Normalization per channel), BatchNormalization right after Flatten."""
    return keras.Sequential([
        keras.Input((10, 10, 2)),
        layers.Normalization(axis=-1),
        layers.Conv2D(3, 3, activation="tanh"),                # 8
        layers.MaxPooling2D(2),                                # 4
        layers.Flatten(),
        layers.BatchNormalization(),                           # over (H,W,C)-ordered features
        layers.Dropout(0.2),
        layers.Dense(10, activation="hard_tanh"),
    ], name="k3")


def randomize(model, rng):
    """Non-trivial BatchNormalization statistics (the model is untrained)."""
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            g, b, m, v = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 1.5, g.shape).astype("float32"),
                               rng.uniform(-0.3, 0.3, b.shape).astype("float32"),
                               rng.uniform(-0.5, 0.5, m.shape).astype("float32"),
                               rng.uniform(0.5, 2.0, v.shape).astype("float32")])


def keras2_form(src, dst):
    """k1's legacy .h5 with the model_config Keras 2.7 (tf.keras) would write."""
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        config = json.loads(f.attrs["model_config"])

        def strip(o):
            if isinstance(o, dict):
                for k in ("module", "registered_name", "build_config"):
                    o.pop(k, None)
                if isinstance(o.get("dtype"), dict):
                    o["dtype"] = o["dtype"]["config"]["name"]
                for v in o.values():
                    strip(v)
            elif isinstance(o, list):
                for v in o:
                    strip(v)

        strip(config)
        for layer in config["config"]["layers"]:
            c = layer["config"]
            if "batch_shape" in c:
                c["batch_input_shape"] = c.pop("batch_shape")
            if layer["class_name"] == "LeakyReLU":
                c["alpha"] = c.pop("negative_slope")
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["keras_version"] = "2.7.0"
        f.attrs["backend"] = "tensorflow"


def write_f32(path, a):
    np.asarray(a, dtype="<f4").tofile(path)


def save_forms(model, base, x, y):
    """The model as .keras, .h5, .weights.h5 and to_json JSON, with its inputs and Keras's outputs for them."""
    model.save(base + ".keras")
    model.save(base + ".h5")
    model.save_weights(base + ".weights.h5")
    with open(base + ".json", "w") as f:
        f.write(model.to_json())
    write_f32(base + ".inputs.f32", x)
    write_f32(base + ".outputs.f32", y)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.RandomState(11)
    keras.utils.set_random_seed(3)
    models = {
        # name: (builder, inputs, conversions that must be refused, as "target: reason substring")
        "k1": (k1, rng.randint(0, 256, (N, 28, 28)).astype("float32"), ""),
        "k2": (k2, rng.uniform(0, 1, (N, 28, 28, 1)).astype("float32"), "h5: hard_sigmoid"),
        "k3": (k3, rng.uniform(0, 1, (N, 10, 10, 2)).astype("float32"), "h5: Keras clips only from 0"),
    }
    for name, (builder, x, refused) in models.items():
        keras.backend.clear_session()  # default layer names (conv2d, dense, ...) in every model
        model = builder()
        if name in ("k2", "k3"):
            model.layers[0].adapt(rng.uniform(0, 1, (64,) + x.shape[1:]).astype("float32") * 0.8 + 0.1)
        randomize(model, rng)
        y = model.predict(x, verbose=0)
        base = os.path.join(OUT, name)
        save_forms(model, base, x, y)
        for path in (base + ".keras", base + ".h5"):
            back = keras.models.load_model(path, compile=False)
            assert np.array_equal(back.predict(x, verbose=0), y), path
        files = ["keras", "h5", "weights"]
        if name == "k1":
            keras2_form(base + ".h5", base + "_keras2.h5")
            back = keras.models.load_model(base + "_keras2.h5", compile=False)
            assert np.array_equal(back.predict(x, verbose=0), y), "keras2 form"
            files.append("keras2")
        with open(base + ".properties", "w") as f:
            f.write("# written by generate_keras.py with Keras %s (backend %s)\n" % (keras.__version__, keras.backend.backend()))
            f.write("keras_version=%s\n" % keras.__version__)
            f.write("files=%s\n" % ",".join(files))
            f.write("inputs=%s.inputs.f32\ninput_shape=%s\n" % (name, ",".join(map(str, x.shape))))
            f.write("outputs=%s.outputs.f32\noutput_shape=%s\n" % (name, ",".join(map(str, y.shape))))
            f.write("refused=%s\n" % refused)
        print(name, y.shape, "max |y| %.3f" % np.abs(y).max())


if __name__ == "__main__":
    main()
