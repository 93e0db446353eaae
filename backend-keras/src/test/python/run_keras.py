"""Real Keras 3.11.3 (../shared/tools/keras3, torch backend) runs model files, for the Java tests.

usage: PYTHONPATH=.../keras3/site KERAS_BACKEND=torch /usr/bin/python3 run_keras.py JOB [JOB ...]
  JOB = MODEL,INPUTS,N:D1:D2...,OUTPUTS   (or MODEL,INPUTS,,OUTPUTS)
Each MODEL (.keras or .h5) is loaded with keras.models.load_model(compile=False); the raw
little-endian float32 INPUTS, reshaped to the given shape (Keras's own, channels last; without
one, as many images of the model's input shape as the file holds), are predicted and the outputs
written to OUTPUTS the same way. One process for all jobs: importing Keras is the slow part.
A file Keras refuses ends the run with Keras's error.
"""
import sys

import numpy as np
import torch
import keras

torch.set_num_threads(1)  # one summation order, so runs repeat bit for bit

for job in sys.argv[1:]:
    model_file, inputs, shape, outputs = job.split(",")
    try:
        model = keras.models.load_model(model_file, compile=False)
    except Exception as e:
        sys.exit("Keras refuses %s: %s: %s" % (model_file, type(e).__name__, e))
    dims = [int(v) for v in shape.split(":")] if shape else [-1] + [int(d) for d in model.inputs[0].shape[1:]]
    x = np.fromfile(inputs, dtype="<f4").reshape(dims)
    y = np.asarray(model.predict(x, verbose=0, batch_size=64))
    y.astype("<f4").tofile(outputs)
    print("keras", keras.__version__, model_file, "input", tuple(x.shape), "output", tuple(y.shape))
