"""Exports the float32 state_dicts of testdata/torch/*_state_dict.pt for core's kernel tests.

core cannot depend on backend-torch (which reads .pt files), so its tests read these raw copies.
Run from the repository root with the Debian interpreter that has PyTorch:

    /usr/bin/python3 core/src/test/resources/torch-weights/export.py

For each model M it writes M.f32 (every tensor of the state_dict in order, little-endian float32,
C order, concatenated) and M.properties (key=shape in the same order). The expected numbers the
tests compare against are PyTorch's own files in testdata/torch/, not anything made here.
"""
import os
import sys

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 5))
OUT = os.path.dirname(os.path.abspath(__file__))
MODELS = ["lenet5_tanh", "lenet5_relu", "lenet5_flat400", "lenet5_odd"]

for m in MODELS:
    sd = torch.load(os.path.join(ROOT, "testdata", "torch", m + "_state_dict.pt"), map_location="cpu")
    with open(os.path.join(OUT, m + ".f32"), "wb") as f, open(os.path.join(OUT, m + ".properties"), "w") as p:
        p.write("# %s state_dict, written by export.py with torch %s\n" % (m, torch.__version__))
        for k, v in sd.items():
            t = v.detach().to(torch.float32).contiguous()
            f.write(t.numpy().astype("<f4").tobytes())
            p.write("%s=%s\n" % (k, ",".join(str(d) for d in t.shape)))
    print(m, len(sd), "tensors", file=sys.stderr)
