#!/usr/bin/python3
"""Check every file written by generate.py with PyTorch itself.

For every testdata/torch/*.properties manifest: load the .pt next to it (torch.jit.load for
TorchScript, torch.load otherwise), rebuild a runnable model (using the manifest's
`architecture` for state_dict-like files), run it on the manifest's inputs and compare with the
manifest's outputs and logits. Files with `error=` must be loadable by PyTorch and contain
what the engine must refuse. Base models also get their activations and the MNIST test split
(read back from the IDX files) checked. Exits non-zero on any failure.

Usage: /usr/bin/python3 testdata/verify.py [TESTDATA_DIR]
"""

import collections
import gzip
import os
import struct
import sys
import zipfile

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
TOL = 1e-5

HERE = os.path.dirname(os.path.abspath(__file__))


def read_props(path):
    props = collections.OrderedDict()
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith(("#", "!")):
                continue
            k, v = line.split("=", 1)
            props[k.strip()] = v
    return props


def read_f32(path, shape):
    a = np.fromfile(path, dtype="<f4")
    assert a.size == int(np.prod(shape)), (path, a.size, shape)
    return torch.from_numpy(a.reshape(shape).copy())


def shape_of(s):
    return tuple(int(v) for v in s.split(","))


def build(text):
    return eval(text, {"__builtins__": {}}, dict(vars(nn)))


def read_idx_gz(path, magic):
    with gzip.open(path, "rb") as f:
        b = f.read()
    m, = struct.unpack(">I", b[:4])
    assert m == magic, hex(m)
    ndim = m & 0xFF
    dims = struct.unpack(">" + "i" * ndim, b[4:4 + 4 * ndim])
    data = np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * ndim)
    assert data.size == int(np.prod(dims))
    return data.reshape(dims)


def is_torchscript(path):
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as z:
        return any("/code/" in n or n.endswith("/constants.pkl") for n in z.namelist())


def has_quantized(obj):
    if isinstance(obj, torch.Tensor):
        return obj.is_quantized
    if isinstance(obj, nn.Module):
        return "quantized" in type(obj).__module__ or any(has_quantized(m) for m in obj.children())
    if isinstance(obj, dict):
        return any(has_quantized(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(has_quantized(v) for v in obj)
    if isinstance(obj, torch.dtype):
        return obj in (torch.qint8, torch.quint8, torch.qint32)
    return False


def model_from(obj, props):
    """Return (runnable module, how)."""
    if isinstance(obj, nn.Module):
        return obj, "module"
    assert isinstance(obj, dict), type(obj)
    if isinstance(obj.get("model"), nn.Module):
        return obj["model"], "dict['model']"
    how = "state_dict"
    sd = obj
    for k in ("model_state_dict", "state_dict"):
        if k in obj and isinstance(obj[k], dict):
            sd, how = obj[k], "dict['%s']" % k
            break
    else:
        # a checkpoint's own name for its one state_dict ('model_state', 'network', ...)
        named = [k for k, v in obj.items() if isinstance(v, dict) and v and all(isinstance(t, torch.Tensor) for t in v.values())]
        if len(named) == 1:
            sd, how = obj[named[0]], "dict['%s']" % named[0]
    # entries beside the tensors (sd['epoch'] = ...) are what their author drops before load_state_dict,
    # and AveragedModel's n_averaged counter what its author drops with its 'module.' prefix
    sd = collections.OrderedDict((k, v) for k, v in sd.items() if isinstance(v, torch.Tensor) and k != "n_averaged")
    arch = props.get("architecture")
    assert arch, "state_dict without architecture in manifest"
    m = build(arch)
    target = m.state_dict()
    if list(sd.keys()) != list(target.keys()):
        # renamed keys (class-based module): map by position, shapes must agree
        assert len(sd) == len(target), (list(sd.keys()), list(target.keys()))
        for (k1, v1), (k2, v2) in zip(sd.items(), target.items()):
            assert v1.shape == v2.shape, (k1, k2, v1.shape, v2.shape)
        sd = collections.OrderedDict(zip(target.keys(), sd.values()))
        how += " (keys mapped by position)"
    m.load_state_dict(sd, strict=True)  # converts f64/f16/bf16 to float32, copies views
    m.eval()
    return m, how


def layers(m):
    return list(m.children())


def last_is_softmax(m):
    last = layers(m)[-1]
    name = getattr(last, "original_name", type(last).__name__)
    return name == "Softmax"


def run_logits(m, x):
    if hasattr(m, "logits"):  # user_modules.py: forward() is not a chain of the children
        return m.logits(x)
    h = x
    ls = layers(m)
    if last_is_softmax(m):
        ls = ls[:-1]
    for layer in ls:
        h = layer(h)
    return h


def maxdiff(a, b):
    return (a.to(torch.float32) - b.to(torch.float32)).abs().max().item()


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else HERE)
    tdir = os.path.join(root, "torch")
    failures = []
    rows = []

    # IDX files
    imgs = read_idx_gz(os.path.join(root, "mnist", "test-images-idx3-ubyte.gz"), 0x00000803)
    labels = read_idx_gz(os.path.join(root, "mnist", "test-labels-idx1-ubyte.gz"), 0x00000801)
    assert imgs.shape == (2000, 28, 28) and labels.shape == (2000,), (imgs.shape, labels.shape)
    print("IDX: images %s, labels %s, per digit %s" % (imgs.shape, labels.shape,
                                                      np.bincount(labels, minlength=10).tolist()))
    test_x = torch.from_numpy(imgs.astype(np.float32)).unsqueeze(1) / 255.0

    manifests = sorted(f for f in os.listdir(tdir) if f.endswith(".properties"))
    for mf in manifests:
        props = read_props(os.path.join(tdir, mf))
        pt = mf[:-len(".properties")] + ".pt"
        path = os.path.join(tdir, pt)
        notes = []
        try:
            with open(path, "rb") as f:
                head = f.read(16)
            fmt = "zip" if head[:4] == b"PK\x03\x04" else (
                "legacy" if head[:4] == b"\x80\x02\x8a\x0a" else "??")
            if fmt == "zip":
                with zipfile.ZipFile(path) as z:
                    names = z.namelist()
                    prefix = [n for n in names if n.endswith("/data.pkl")][0][:-len("data.pkl")]
                    pkl = z.read(prefix + "data.pkl")
                    notes.append("prefix=%s proto=%d" % (prefix, pkl[1]))
                    if prefix + "byteorder" in names:
                        notes.append("byteorder=%s" % z.read(prefix + "byteorder").decode())
            if is_torchscript(path):
                obj = torch.jit.load(path)
                loader = "torch.jit.load"
            elif fmt == "legacy":
                # Python 2 pickles (py2_legacy.py) hold byte strings that Python 3 decodes as latin-1
                obj = torch.load(path, encoding="latin1")
                loader = "torch.load(encoding='latin1')"
            else:
                obj = torch.load(path)
                loader = "torch.load"

            if "error" in props:
                q = has_quantized(obj)
                if not q:
                    raise AssertionError("expected %r content not found" % props["error"])
                # a float model cannot be built from it by PyTorch either
                refused = False
                try:
                    model_from(obj, props)
                except Exception:
                    refused = True
                kind = "refuse"
                notes.append("contains quantized tensors/modules; float rebuild %s"
                             % ("fails" if refused else "n/a (full module)"))
                rows.append((pt, fmt, loader, kind, "-", "-", "expect error '%s'; %s"
                             % (props["error"], "; ".join(notes))))
                continue

            m, how = model_from(obj, props)
            x = read_f32(os.path.join(tdir, props["inputs"]), shape_of(props["input_shape"]))
            want = read_f32(os.path.join(tdir, props["outputs"]), shape_of(props["output_shape"]))
            want_lg = read_f32(os.path.join(tdir, props["logits"]), shape_of(props["output_shape"]))
            with torch.no_grad():
                got = m(x)
                got_lg = run_logits(m, x)
            d_out, d_lg = maxdiff(got, want), maxdiff(got_lg, want_lg)
            ok = d_out <= TOL and d_lg <= TOL
            if "activations" in props:
                ad = os.path.join(tdir, props["activations"])
                shapes = read_props(os.path.join(ad, "shapes.properties"))
                h, worst = x, 0.0
                with torch.no_grad():
                    for layer, (fn, shp) in zip(layers(m), shapes.items()):
                        h = layer(h)
                        worst = max(worst, maxdiff(h, read_f32(os.path.join(ad, fn + ".f32"),
                                                               shape_of(shp))))
                assert len(shapes) == len(layers(m))
                notes.append("act %d layers max|d|=%.1e" % (len(shapes), worst))
                ok = ok and worst <= TOL
            if "test_probs" in props:
                with torch.no_grad():
                    probs = m(test_x)
                want_p = read_f32(os.path.join(tdir, props["test_probs"]),
                                  shape_of(props["test_probs_shape"]))
                pred = np.fromfile(os.path.join(tdir, props["test_predictions"]), dtype=np.uint8)
                acc_line = open(os.path.join(tdir, props["model"] + ".accuracy.txt")).read().strip()
                correct = int((probs.argmax(1).numpy() == labels).sum())
                line = "accuracy: %.4f (%d/%d)" % (correct / len(labels), correct, len(labels))
                dp = maxdiff(probs, want_p)
                same_pred = bool((pred == probs.argmax(1).numpy()).all())
                notes.append("test probs max|d|=%.1e, preds %s, %s"
                             % (dp, "same" if same_pred else "DIFFER", line))
                ok = ok and dp <= TOL and same_pred and line == acc_line
            if "noncontig" in pt:
                strides = [tuple(v.stride()) for v in obj.values()]
                notes.append("strides %s" % strides[:3])
            rows.append((pt, fmt, loader, how, "%.1e" % d_out, "%.1e" % d_lg,
                         ("OK " if ok else "FAIL ") + "; ".join(notes)))
            if not ok:
                failures.append(pt)
        except Exception as e:  # noqa
            failures.append(pt)
            rows.append((pt, "?", "?", "?", "-", "-", "FAIL %r" % (e,)))

    w = max(len(r[0]) for r in rows)
    print("\n%-*s  %-6s  %-14s  %-38s  %-8s  %-8s  %s"
          % (w, "file", "format", "loader", "model from", "max|dO|", "max|dL|", "notes"))
    for r in rows:
        print("%-*s  %-6s  %-14s  %-38s  %-8s  %-8s  %s" % ((w,) + r))
    print("\n%d manifests, %d failed%s" % (len(rows), len(failures),
                                           (": " + ", ".join(failures)) if failures else ""))
    print("%d passed, %d failed" % (len(rows) - len(failures), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
