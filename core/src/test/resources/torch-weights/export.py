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


def export_misc():
    """A small model of the layers LeNet-5 does not use, with seeded random weights and batch-norm
    statistics: PyTorch's per-layer outputs for 40 random inputs become misc_act/NN.f32."""
    import torch.nn as nn
    torch.manual_seed(7)
    model = nn.Sequential(
        nn.ZeroPad2d((1, 2, 0, 1)),
        nn.Conv2d(2, 4, kernel_size=(2, 3), stride=(1, 2), padding=(1, 0)),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=False, ceil_mode=True),
        nn.Softmax(dim=1),
        nn.Conv2d(4, 3, 3),
        nn.Sigmoid(),
        nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=True),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(18, 7),
        nn.Tanh(),
        nn.Linear(7, 5, bias=False),
        nn.Softmax(dim=1),
    )
    bn = model[2]
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.5, 0.5)
        bn.running_mean.uniform_(-0.3, 0.3)
        bn.running_var.uniform_(0.5, 2.0)
    model.eval()
    x = torch.randn(40, 2, 9, 11) * 2
    d = os.path.join(OUT, "misc_act")
    os.makedirs(d, exist_ok=True)
    x.numpy().astype("<f4").tofile(os.path.join(OUT, "misc_input_40x2x9x11.f32"))
    with torch.no_grad():
        h = x
        for i, layer in enumerate(model):
            h = layer(h)
            h.numpy().astype("<f4").tofile(os.path.join(d, "%02d_%s.f32" % (i, type(layer).__name__)))
    with open(os.path.join(OUT, "misc.f32"), "wb") as f, open(os.path.join(OUT, "misc.properties"), "w") as p:
        p.write("# misc (layers LeNet-5 does not use) state_dict, written by export.py with torch %s\n" % torch.__version__)
        for k, v in model.state_dict().items():
            if v.dtype != torch.float32:
                continue  # num_batches_tracked
            f.write(v.contiguous().numpy().astype("<f4").tobytes())
            p.write("%s=%s\n" % (k, ",".join(str(s) for s in v.shape)))


export_misc()
