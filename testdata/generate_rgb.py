#!/usr/bin/python3
"""Generate lenet5_rgb: a small untrained 3-channel LeNet with a non-square input (3x32x28).

The 28x28 MNIST models have one channel, where NCHW and NHWC are the same bytes, and lenet5_odd
(3x32x30) uses padded pooling that Keras cannot express. This model can go .pt -> .h5 -> .keras,
so tests can show that a caller's 3-channel array means the same thing whichever file the model
was read from. Same conventions and helpers as generate.py (seeded, real PyTorch, manifests).

Usage: /usr/bin/python3 testdata/generate_rgb.py [--out OUT_DIR]   (no MNIST digits needed)
"""

import argparse
import os

import torch

import generate as g

NAME = "lenet5_rgb"
# Flatten sees 16x5x4: the Dense after it needs the (C,H,W) <-> (H,W,C) column permutation.
ARCH = ("Sequential(Conv2d(3, 6, kernel_size=5), ReLU(), MaxPool2d(2), "
        "Conv2d(6, 16, kernel_size=5), Tanh(), AvgPool2d(2), Flatten(), "
        "Linear(320, 32), ReLU(), Linear(32, 10), Softmax(dim=1))")
CHW = (3, 32, 28)
INPUTS = "inputs_16x3x32x28.f32"
SEED_MODEL = 24  # of seeds 1-59: 4 classes, 12 of 16 argmaxes change if the array is misread as NHWC
SEED_INPUTS = 5678


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=g.HERE)
    tdir = os.path.join(ap.parse_args().out, "torch")
    P = lambda n: os.path.join(tdir, n)

    torch.manual_seed(SEED_INPUTS)
    # Per-image, per-channel brightness: the channels differ, as in colour images, so reading
    # them in the wrong order changes the answer.
    x = torch.rand(g.N_INPUTS, *CHW) * torch.rand(g.N_INPUTS, CHW[0], 1, 1)
    g.write_f32(P(INPUTS), x)
    torch.manual_seed(SEED_MODEL)
    model = g.build(ARCH)
    with torch.no_grad():
        # Default init on [0,1) inputs gives one class for every image; larger weights make the
        # argmax depend on the image, so a mixed-up layout shows in the predictions, not only the values.
        for p in model.parameters():
            p.mul_(4)
    model.eval()
    y = g.run(model, x)
    g.write_f32(P(NAME + ".outputs.f32"), y)
    g.write_f32(P(NAME + ".logits.f32"), g.logits_of(model, x))
    assert torch.equal(g.write_activations(tdir, NAME, model, x), y)
    torch.save(model, P(NAME + ".pt"))
    g.write_properties(P(NAME + ".properties"), [
        ("variant", "full model, torch.save(model), zip"), ("model", NAME),
        ("torch_version", torch.__version__), ("inputs", INPUTS),
        ("input_shape", g.shape_str((g.N_INPUTS,) + CHW)), ("input_chw", g.shape_str(CHW)),
        ("outputs", NAME + ".outputs.f32"), ("output_shape", "%d,10" % g.N_INPUTS),
        ("logits", NAME + ".logits.f32"), ("activations", NAME + "_act")])
    print("wrote %s: argmax %s" % (NAME, y.argmax(1).tolist()))


if __name__ == "__main__":
    main()
