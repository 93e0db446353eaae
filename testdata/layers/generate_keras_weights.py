#!/usr/bin/python3
"""Keras 3 weights-only files whose architecture is not a flat channels_last Sequential.

Run with real Keras 3.11.3 (../shared/tools/keras3) on Debian's python3 with torch:
  PYTHONPATH=../shared/tools/keras3/site KERAS_BACKEND=torch /usr/bin/python3 testdata/layers/generate_keras_weights.py
Writes into testdata/layers/keras_weights/, for every model M:
  M.weights.h5     model.save_weights (Keras 3: variables at class-and-counter paths, nested included)
  M.json           model.to_json(), M.keras and M.h5 (model.save): the three architectures a user passes
  M.inputs.f32     8 inputs in the model's own input layout (NCHW for the channels_first ones)
  M.outputs.f32    Keras's own model.predict on them
The weights file must bind to each architecture as Keras's load_weights binds it: nested layers at
their nested paths, BatchNormalization without gamma or beta, Flatten order and input layout of
channels_first models; and a model whose input is (H,W) without a channel axis (w4). Checked here by Keras itself: a fresh model from M.json with M.weights.h5
loaded predicts M.outputs.f32 exactly.

Also bf16.keras / bf16.h5: a model with the 'bfloat16' dtype policy, whose variables Keras stores as an
HDF5 opaque type; the reader must refuse it by name (no outputs: nothing to compare).
"""

import os

import numpy as np
import torch
import keras

torch.set_num_threads(1)  # one summation order, so runs repeat bit for bit
from keras import layers

from generate_keras import save_forms

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "keras_weights")
N = 8


def w1():
    """Nested Sequentials in a functional chain; BatchNormalization without scale, without center."""
    features = keras.Sequential([
        layers.Conv2D(4, 3),
        layers.BatchNormalization(scale=False),
        layers.ReLU(),
        layers.MaxPooling2D(2),
    ], name="features")
    head = keras.Sequential([
        layers.Flatten(),
        layers.Dense(8),
        layers.BatchNormalization(center=False),
        layers.Activation("tanh"),
    ], name="head")
    inp = keras.Input((10, 10, 1))
    x = head(features(inp))
    x = layers.Dense(3, activation="softmax")(x)
    return keras.Model(inp, x, name="w1")


def w2():
    """channels_first, 3 channels, Flatten without data_format: Dense reads (C,H,W) order."""
    cf = "channels_first"
    return keras.Sequential([
        keras.Input((3, 10, 10)),
        layers.Conv2D(4, 3, data_format=cf),
        layers.BatchNormalization(axis=1, center=False, scale=False),
        layers.Activation("relu"),
        layers.MaxPooling2D(2, data_format=cf),
        layers.Flatten(),
        layers.Dense(5, activation="softmax"),
    ], name="w2")


def w3():
    """channels_first, 2 channels, Flatten(data_format='channels_first'): Dense reads (H,W,C) order."""
    cf = "channels_first"
    return keras.Sequential([
        keras.Input((2, 9, 9)),
        layers.Conv2D(3, 3, padding="same", activation="tanh", data_format=cf),
        layers.AveragePooling2D(2, data_format=cf),
        layers.Flatten(data_format=cf),
        layers.Dense(4),
    ], name="w3")


def w4():
    """The Keras MNIST tutorial's MLP: Flatten(input_shape=(H, W)), no channel axis."""
    return keras.Sequential([
        layers.Flatten(input_shape=(6, 6)),
        layers.Dense(5, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(3, activation="softmax"),
    ], name="w4")


def randomize(model, rng):
    """Non-zero biases and non-trivial BatchNormalization statistics (the model is untrained)."""
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if hasattr(layer, "layers") or not layer.weights:
            continue
        values = []
        for w in layer.weights:
            a = keras.ops.convert_to_numpy(w.value)
            kind = w.path.split("/")[-1]
            if kind in ("bias", "beta"):
                a = rng.uniform(-0.3, 0.3, a.shape)
            elif kind == "gamma":
                a = rng.uniform(0.5, 1.5, a.shape)
            elif kind == "moving_mean":
                a = rng.uniform(-0.5, 0.5, a.shape)
            elif kind == "moving_variance":
                a = rng.uniform(0.5, 2.0, a.shape)
            values.append(np.asarray(a, dtype="float32"))
        layer.set_weights(values)


def bf16():
    keras.backend.clear_session()
    m = keras.Sequential([keras.Input((12, 12, 1)), layers.Conv2D(2, 3, dtype="bfloat16"), layers.Flatten(dtype="bfloat16"),
                          layers.Dense(3, dtype="bfloat16")])
    m.save(os.path.join(OUT, "bf16.keras"))
    m.save(os.path.join(OUT, "bf16.h5"))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.RandomState(5)
    keras.utils.set_random_seed(5)
    for name, builder in (("w1", w1), ("w2", w2), ("w3", w3), ("w4", w4)):
        keras.backend.clear_session()
        model = builder()
        randomize(model, rng)
        x = rng.uniform(0, 1, (N,) + tuple(model.input_shape[1:])).astype("float32")
        y = model.predict(x, verbose=0)
        base = os.path.join(OUT, name)
        save_forms(model, base, x, y)
        keras.backend.clear_session()
        back = keras.models.model_from_json(open(base + ".json").read())
        back.load_weights(base + ".weights.h5")
        assert np.array_equal(back.predict(x, verbose=0), y), name
        print(name, "input", x.shape, "output", y.shape, "max |y| %.3f" % np.abs(y).max())
    bf16()


if __name__ == "__main__":
    main()
