"""Real PyTorch runs a model that `lenet5 convert` wrote.

usage: /usr/bin/python3 run_converted.py LOADER.py INPUTS.f32 N,C,H,W OUTPUTS.f32

LOADER.py is the file convert writes next to a .pt: it builds the torch.nn.Sequential and loads
the state_dict with torch.load(..., weights_only=True). The inputs are raw little-endian float32
in NCHW order; the outputs are written the same way.
"""
import runpy
import sys

import numpy as np
import torch

loader, inputs, shape, outputs = sys.argv[1:5]
torch.set_num_threads(1)
model = runpy.run_path(loader)["model"]
x = np.fromfile(inputs, dtype="<f4").reshape([int(v) for v in shape.split(",")])
with torch.no_grad():
    y = model(torch.from_numpy(x))
y.numpy().astype("<f4").tofile(outputs)
print("torch", torch.__version__, "output", tuple(y.shape))
