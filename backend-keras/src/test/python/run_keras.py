"""Real Keras 3.11.3 (../shared/tools/keras3, torch backend) runs model files, for the Java tests.

usage: PYTHONPATH=.../keras3/site KERAS_BACKEND=torch /usr/bin/python3 run_keras.py JOB [JOB ...]
  JOB = MODEL,INPUTS,N:D1:D2...,OUTPUTS
Each MODEL (.keras or .h5) is loaded with keras.models.load_model(compile=False); the raw
little-endian float32 INPUTS, reshaped to the given shape (Keras's own, channels last), are
predicted and the outputs written to OUTPUTS the same way. One process for all jobs: importing
Keras is the slow part.
"""
import sys

import numpy as np
import torch
import keras

torch.set_num_threads(1)  # one summation order, so runs repeat bit for bit

for job in sys.argv[1:]:
    model_file, inputs, shape, outputs = job.split(",")
    model = keras.models.load_model(model_file, compile=False)
    x = np.fromfile(inputs, dtype="<f4").reshape([int(v) for v in shape.split(":")])
    y = model.predict(x, verbose=0)
    np.asarray(y, dtype="<f4").tofile(outputs)
    print("keras", keras.__version__, model_file, "->", tuple(y.shape))
