"""Keras 3 fixtures with layer names that are not Keras's defaults, made by REAL Keras 3.11.3.

usage: PYTHONPATH=../shared/tools/keras3/site KERAS_BACKEND=torch /usr/bin/python3 \
           backend-keras/src/test/python/make_keras3_fixtures.py backend-keras/src/test/resources/keras3

Keras 3 stores a layer's variables in .keras and .weights.h5 files under a path made of the
layer's CLASS name and a per-class counter in tracking order (layers/conv2d, layers/conv2d_1,
layers/dense, ...; nested models: layers/sequential/layers/conv2d), not under the layer's name.
Every model here is built in this one process after others, so Keras numbers its layers
conv2d_4, dense_6, ...; some carry names of their own (c1, s2, f6) and some have nested or
functional chains, so a reader that maps weights by name, or a writer that stores them by name,
fails on them. Small layer sizes keep the files small.

Writes, per model NAME: NAME.keras, NAME.h5 (legacy HDF5), NAME.weights.h5 (save_weights) and
NAME.outputs.f32 (what Keras's predict gives for inputs_8x28x28x1.f32, NHWC, uniform [0, 1),
numpy seed 15), and MANIFEST.txt: one line per model with its layer names and the weight paths.
"""
import os
import sys

import h5py
import keras
import numpy as np
from keras import layers

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
keras.utils.set_random_seed(15)
x = np.random.RandomState(15).uniform(0, 1, (8, 28, 28, 1)).astype("<f4")
x.tofile(os.path.join(out, "inputs_8x28x28x1.f32"))


def lenet():
    """Default names; built first so that every later model's auto names get suffixes."""
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 5, activation="tanh"), layers.AveragePooling2D(2),
                             layers.Flatten(), layers.Dense(10, activation="softmax")])


def suffixed():
    """Auto names after other models: conv2d_2, average_pooling2d_1, dense_3, ... (stored as conv2d, dense, ...)."""
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 5, padding="same", activation="relu"),
                             layers.MaxPooling2D(2), layers.Conv2D(8, 5, activation="relu"), layers.MaxPooling2D(2),
                             layers.Flatten(), layers.Dense(16, activation="relu"), layers.Dense(12, activation="relu"),
                             layers.Dense(10, activation="softmax")])


def named():
    """The classic LeNet-5 letters as names, with BatchNormalization between (per-class counters interleave)."""
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 5, padding="same", activation="tanh", name="c1"),
                             layers.AveragePooling2D(2, name="s2"), layers.BatchNormalization(name="bn"),
                             layers.Conv2D(8, 5, activation="tanh", name="c3"), layers.AveragePooling2D(2, name="s4"),
                             layers.Flatten(name="flat"), layers.Dense(16, activation="tanh", name="f5"),
                             layers.Dense(10, activation="softmax", name="f6")], name="lenet_letters")


def nested():
    """A Sequential whose first layer is a Sequential feature extractor (layers/sequential/layers/conv2d ...)."""
    features = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 5, activation="relu"), layers.MaxPooling2D(2),
                                 layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2)], name="features")
    return keras.Sequential([keras.Input((28, 28, 1)), features, layers.Flatten(), layers.Dense(16, activation="relu"),
                             layers.Dense(10, activation="softmax")], name="outer")


def functional():
    """A functional chain with some names given and some automatic."""
    i = keras.Input((28, 28, 1), name="pixels")
    h = layers.Conv2D(4, 5, activation="relu", name="conv_a")(i)
    h = layers.MaxPooling2D(2)(h)
    h = layers.Conv2D(8, 5, activation="relu")(h)
    h = layers.MaxPooling2D(2)(h)
    h = layers.Flatten()(h)
    h = layers.Dense(16, activation="relu", name="hidden")(h)
    o = layers.Dense(10, activation="softmax")(h)
    return keras.Model(i, o, name="chain")


lines = []
for name, build in [("k3_default", lenet), ("k3_suffixed", suffixed), ("k3_named", named), ("k3_nested", nested),
                    ("k3_functional", functional)]:
    m = build()
    for w in m.weights:  # non-trivial batch statistics, so a mix-up of BatchNormalization's four vectors shows
        if "moving" in w.path:
            w.assign(np.random.RandomState(len(lines)).uniform(0.5, 1.5, w.shape).astype("float32"))
    m.save(os.path.join(out, name + ".keras"))
    m.save(os.path.join(out, name + ".h5"))
    m.save_weights(os.path.join(out, name + ".weights.h5"))
    y = m.predict(x, verbose=0)
    y.astype("<f4").tofile(os.path.join(out, name + ".outputs.f32"))
    with h5py.File(os.path.join(out, name + ".weights.h5")) as h:
        paths = []
        h.visit(lambda p: paths.append(p) if p.endswith("/vars/0") else None)
    flat = [l.name if not hasattr(l, "layers") else l.name + "[" + ", ".join(s.name for s in l.layers) + "]" for l in m.layers]
    lines.append("%s: layers %s; weights at %s" % (name, ", ".join(flat), ", ".join(p[:-len("/vars/0")] for p in sorted(paths))))
    # what real Keras reads back from each file must be what it computed
    for ext in (".keras", ".h5"):
        y2 = keras.models.load_model(os.path.join(out, name + ext), compile=False).predict(x, verbose=0)
        assert np.array_equal(y, y2), (name, ext)

with open(os.path.join(out, "MANIFEST.txt"), "w") as f:
    f.write("# made by backend-keras/src/test/python/make_keras3_fixtures.py with Keras %s (torch backend); do not edit\n"
            % keras.__version__)
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
