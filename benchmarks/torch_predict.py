#!/usr/bin/python3
"""The end-to-end peer of `./lenet5 predict MODEL --images IDX`: load a PyTorch model, read MNIST IDX images,
predict them all (batch 256, one thread like the CLI's default single predictor) and print the class counts.
Timed as a whole process by benchmarks/run.sh, including `import torch`."""
import gzip
import sys

import numpy as np
import torch

torch.set_num_threads(1)
model = torch.load(sys.argv[1]).eval()
opener = gzip.open if sys.argv[2].endswith(".gz") else open
with opener(sys.argv[2], "rb") as f:
    raw = f.read()
n = int.from_bytes(raw[4:8], "big")
x = torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=16).astype(np.float32) / 255).reshape(n, 1, 28, 28)
with torch.inference_mode():
    classes = torch.cat([model(x[i:i + 256]).argmax(1) for i in range(0, n, 256)])
print("images:", n, "class counts:", torch.bincount(classes, minlength=10).tolist())
