#!/usr/bin/python3
"""Small PyTorch models that use the layer vocabulary beyond LeNet-5, with PyTorch's own outputs.

Run with Debian's real PyTorch:  /usr/bin/python3 testdata/layers/generate_torch.py
Writes into testdata/layers/torch/, for every model M:
  M.pt             torch.save(model)                       (full pickle)
  M_state_dict.pt  torch.save(model.state_dict())          (needs the architecture text)
  M_script.pt      torch.jit.script(model).save(...)
  M_trace.pt       torch.jit.trace(model, x).save(...)
  M*.properties    one manifest per file, as in testdata/torch (architecture text for the state_dict)
  M.outputs.f32    the model's outputs on inputs.f32 (little-endian float32, C order)
elementwise_x.f32 and elementwise_<f>.f32/.f64: 512 values of x and each element-wise function of
x, computed by PyTorch in float32 and in float64 (the accuracy reference).
inputs.f32 holds 8 inputs 1x28x28 from torch.rand (seed 7), scaled to [-1, 2) so that every
activation sees negative and large values. Weights are seeded random (untrained); BatchNorm
running statistics are set to random values so that they matter.
"""

import os

import torch
import torch.nn as nn

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "torch")
N = 8

# The text is eval'd in the torch.nn namespace to build each model, so the manifests match exactly.
ARCH = {
    # every layer here converts to Keras
    "layers_t1": "Sequential(Conv2d(1, 4, 3, padding=1), LeakyReLU(0.1), MaxPool2d(2), Conv2d(4, 6, 3), "
                 "ELU(alpha=0.7), Dropout2d(0.2), Conv2d(6, 8, 3), ReLU6(), AdaptiveAvgPool2d(1), Flatten(), "
                 "Linear(8, 16), BatchNorm1d(16), SiLU(), Linear(16, 10), LogSoftmax(dim=1))",
    "layers_t2": "Sequential(Conv2d(1, 4, 5), GELU(), AdaptiveAvgPool2d((12, 12)), Conv2d(4, 6, 3), Softsign(), "
                 "AdaptiveMaxPool2d(2), Flatten(), Identity(), Linear(24, 12), Hardsigmoid(), Linear(12, 12), "
                 "Softplus(), Linear(12, 12), Hardtanh(0.0, 4.0), Linear(12, 10))",
    # BatchNorm1d right after Flatten: its vectors follow PyTorch's (C,H,W) feature order
    "layers_t4": "Sequential(Conv2d(1, 2, 5, stride=3), Tanh(), MaxPool2d(2), Flatten(), BatchNorm1d(32), Dropout(0.1), "
                 "Linear(32, 10), Softmax(dim=1))",
    # PyTorch-only options: Keras has no equivalent (conversion is refused with the reason)
    "layers_t3": "Sequential(Conv2d(1, 3, 3), Hardtanh(-0.5, 1.5), AdaptiveAvgPool2d(5), Flatten(), Linear(75, 12), "
                 "GELU(approximate='tanh'), Linear(12, 12), Softplus(beta=2.0, threshold=5.0), Linear(12, 10), "
                 "LogSoftmax())",
    # BatchNorm without affine parameters (weight and bias None): 2d on maps, 1d on features
    "layers_t5": "Sequential(Conv2d(1, 4, 5), BatchNorm2d(4, affine=False), ReLU(), MaxPool2d(2), Flatten(), "
                 "Linear(576, 16), BatchNorm1d(16, eps=0.001, affine=False), Tanh(), Linear(16, 10), Softmax(dim=1))",
}


# Element-wise functions on a grid of x values, in float32 and float64 (functional forms of the modules).
ELEMENTWISE = {
    "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 0.1),
    "elu": lambda x: torch.nn.functional.elu(x, 0.7),
    "hardtanh": lambda x: torch.nn.functional.hardtanh(x, -0.5, 1.5),
    "relu6": torch.nn.functional.relu6,
    "silu": torch.nn.functional.silu,
    "gelu": torch.nn.functional.gelu,
    "gelu_tanh": lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
    "softplus": torch.nn.functional.softplus,
    "softplus_b2_t5": lambda x: torch.nn.functional.softplus(x, 2, 5),
    "softsign": torch.nn.functional.softsign,
    "hardsigmoid": torch.nn.functional.hardsigmoid,
    "log_softmax": lambda x: torch.log_softmax(x.reshape(-1, 8), 1).reshape(-1),
}


def elementwise():
    """x: 512 float32 values over [-12, 12] (a grid, random points, the kinks), and each function of x."""
    g = torch.Generator().manual_seed(9)
    x = torch.cat([torch.linspace(-12, 12, 385), torch.randn(119, generator=g) * 3,
                   torch.tensor([-3.0, 3.0, -0.5, 1.5, 0.0, 6.0, 2.5, 20.0])]).float()
    write_f32(os.path.join(OUT, "elementwise_x.f32"), x)
    for name, f in ELEMENTWISE.items():
        write_f32(os.path.join(OUT, "elementwise_%s.f32" % name), f(x))
        f(x.double()).numpy().astype("<f8").tofile(os.path.join(OUT, "elementwise_%s.f64" % name))


def build(text, seed):
    torch.manual_seed(seed)
    model = eval(text, vars(nn))
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            if m.affine:
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.3, 0.3)
    return model.eval()


def write_f32(path, t):
    with open(path, "wb") as f:
        f.write(t.detach().contiguous().numpy().astype("<f4").tobytes())


def main():
    os.makedirs(OUT, exist_ok=True)
    elementwise()
    g = torch.Generator().manual_seed(7)
    x = torch.rand(N, 1, 28, 28, generator=g) * 3 - 1
    write_f32(os.path.join(OUT, "inputs.f32"), x)
    for i, (name, text) in enumerate(ARCH.items()):
        model = build(text, 100 + i)
        with torch.no_grad():
            y = model(x)
        write_f32(os.path.join(OUT, name + ".outputs.f32"), y)
        base = os.path.join(OUT, name)
        torch.save(model, base + ".pt")
        torch.save(model.state_dict(), base + "_state_dict.pt")
        torch.jit.script(model).save(base + "_script.pt")
        torch.jit.trace(model, x[:1]).save(base + "_trace.pt")
        for kind in ("", "_script", "_trace"):
            loaded = torch.jit.load(base + kind + ".pt") if kind else torch.load(base + ".pt")
            with torch.no_grad():
                assert torch.equal(loaded(x), y), name + kind
        for kind, variant in (("", "torch.save(model)"), ("_state_dict", "torch.save(model.state_dict())"),
                              ("_script", "torch.jit.script"), ("_trace", "torch.jit.trace")):
            with open(base + kind + ".properties", "w") as f:
                f.write("variant=%s\nmodel=%s\ntorch_version=%s\n" % (variant, name, torch.__version__))
                if kind == "_state_dict":
                    f.write("architecture=%s\n" % text)
                f.write("inputs=inputs.f32\ninput_shape=%d,1,28,28\ninput_chw=1,28,28\n" % N)
                f.write("outputs=%s.outputs.f32\noutput_shape=%d,%d\ntolerance=1e-6\n" % (name, N, y.shape[1]))
        print(name, tuple(y.shape), "max |y| %.3f" % y.abs().max().item())


if __name__ == "__main__":
    main()
