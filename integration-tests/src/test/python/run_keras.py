"""Real Keras 3.11.3 (../shared/tools/keras3, torch backend) runs .h5 / .keras files.

usage: PYTHONPATH=.../keras3/site KERAS_BACKEND=torch /usr/bin/python3 run_keras.py MODEL INPUTS.f32 OUTPUTS.f32 [MODEL INPUTS OUTPUTS ...]

For each triple: keras.models.load_model(MODEL), predict the raw little-endian float32 images in
INPUTS.f32 (in the layout the model's input says: NHWC for a channels_last model; the count
follows from the file size and the input shape) and write the outputs to OUTPUTS.f32 as raw
little-endian float32, one row per image. One process for many files: importing Keras is slow.
A file Keras refuses ends the run with Keras's error.
"""
import sys

import keras
import numpy as np

args = sys.argv[1:]
if not args or len(args) % 3:
    sys.exit(__doc__)
for model_path, inputs, outputs in zip(args[0::3], args[1::3], args[2::3]):
    try:
        model = keras.models.load_model(model_path, compile=False)
    except Exception as e:
        sys.exit("Keras refuses %s: %s: %s" % (model_path, type(e).__name__, e))
    shape = [int(d) for d in model.inputs[0].shape[1:]]
    x = np.fromfile(inputs, dtype="<f4").reshape([-1] + shape)
    y = np.asarray(model.predict(x, verbose=0, batch_size=64))
    y.astype("<f4").tofile(outputs)
    print("keras", keras.__version__, model_path, "input", tuple(x.shape), "output", tuple(y.shape))
