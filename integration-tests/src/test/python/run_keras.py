"""Real Keras 3.11.3 (../shared/tools/keras3, torch backend) runs a .h5 or .keras file.

usage: PYTHONPATH=.../keras3/site KERAS_BACKEND=torch /usr/bin/python3 run_keras.py MODEL INPUTS.f32 OUTPUTS.f32

INPUTS.f32 holds raw little-endian float32 images in the layout the model's input says (NHWC for a
channels_last model); the count follows from the file size and the model's input shape. The
outputs are written as raw little-endian float32, one row per image.
"""
import sys

import keras
import numpy as np

model_path, inputs, outputs = sys.argv[1:4]
model = keras.models.load_model(model_path, compile=False)
shape = [int(d) for d in model.inputs[0].shape[1:]]
x = np.fromfile(inputs, dtype="<f4").reshape([-1] + shape)
y = np.asarray(model.predict(x, verbose=0, batch_size=64))
y.astype("<f4").tofile(outputs)
print("keras", keras.__version__, "input", tuple(x.shape), "output", tuple(y.shape))
