#!/usr/bin/python3
"""Write the Python 2.7 era legacy .pt files in testdata/torch, opcode by opcode, and check them
with real PyTorch.

Real torch under Python 3 cannot write what torch under Python 2.7 wrote: Python 3's pickler
emits `str` as BINUNICODE and never reduces an OrderedDict to a list of [key, value] lists.
So this script writes those pickles itself with the protocol 2 opcodes Python 2.7's cPickle
emits, taking the weights from files real PyTorch wrote (testdata/torch/*.pt):

* `str` (attribute names, state_dict keys, 'storage', 'cpu', storage keys, module source)
  -> SHORT_BINSTRING (< 256 bytes) / BINSTRING;
* `collections.OrderedDict` -> REDUCE(OrderedDict, ([[key, value], ...],)) and, when the dict has
  attributes (a state_dict's `_metadata`), BUILD with them (Python 2.7's OrderedDict.__reduce__);
* sizes, strides, offsets and storage sizes -> LONG1, because torch's C code returned Python 2
  `long` for them (PyLong_FromLongLong); small Python `int`s -> BININT1/BININT2/BININT;
* a module's `__dict__` is a plain dict, written in sorted key order (Python 2 dicts had no
  insertion order); the memo (BINPUT/BINGET) is used for repeated strings and globals;
* the legacy container of torch <= 1.5: magic number, protocol version 1001, sys_info, the
  object, the sorted storage keys, then per storage an int64 count and the little-endian data.

Files written (each with a Java .properties manifest for the tests):

* lenet5_relu_py2_torch13.pt: `torch.save(model)` of the full nn.Sequential as Python 2.7 with
  torch 1.3 wrote it: every module carries `_backend` (pickled as
  `torch.nn.backends.thnn._get_thnn_function_backend()`), no `_non_persistent_buffers_set` and
  no `_is_full_backward_hook` (torch 1.6+), Conv2d with `padding_mode` (1.1+), AvgPool2d with
  `divisor_override` and Flatten (1.2+), Parameters through `_rebuild_parameter` (1.0+), and the
  ('module', class, source file, source) persistent id the first time a class is met.
* lenet5_tanh_py2_state_dict.pt: `torch.save(model.state_dict())` under Python 2.7 (torch 1.x):
  the OrderedDict of tensors (`_rebuild_tensor_v2`) with its `_metadata`.

Check: real PyTorch loads each file with `torch.load(f, encoding="latin1")` (what a Python 3 user
has to do with such files) and must give exactly the numbers it gave for the source model
(testdata/torch/<model>.outputs.f32); the script fails otherwise.

Usage: /usr/bin/python3 testdata/py2_legacy.py
"""
import collections
import inspect
import os
import struct
import sys

import numpy as np
import torch

from manifests import ARCH_TANH, manifest

HERE = os.path.dirname(os.path.abspath(__file__))
TDIR = os.path.join(HERE, "torch")
torch.set_num_threads(1)


class Py2Str(bytes):
    """A Python 2 `str` (bytes)."""


class Long(int):
    """A Python 2 `long`."""


class Global:
    def __init__(self, module, name):
        self.module, self.name = module, name


class Reduce:
    """func(*args), then BUILD(state) when state is not None."""

    def __init__(self, func, args, state=None):
        self.func, self.args, self.state = func, args, state


class NewObj:
    """cls.__new__(cls) (cls may be a PersId), then BUILD(state)."""

    def __init__(self, cls, state):
        self.cls, self.state = cls, state


class PersId:
    def __init__(self, pid):
        self.pid = pid


def s(text):
    return Py2Str(text.encode("latin-1"))


def odict(items, state=None):
    """Python 2.7's OrderedDict.__reduce__: (OrderedDict, ([[k, v], ...],), inst_dict or None)."""
    return Reduce(Global("collections", "OrderedDict"), ([[k, v] for k, v in items],), state)


class Py2Pickler:
    """Protocol 2 as Python 2.7's cPickle writes it, for the value kinds above."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")
        self.memo = {}
        self.next = 0

    def put(self, key):
        i = self.next
        self.next += 1
        self.memo[key] = i
        self.out += b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i)

    def get(self, key):
        i = self.memo[key]
        self.out += b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i)

    def save(self, v):
        o = self.out
        if v is None:
            o += b"N"
        elif v is True:
            o += b"\x88"
        elif v is False:
            o += b"\x89"
        elif isinstance(v, Long):
            n = int(v)
            b = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True) if n else b""
            o += b"\x8a" + bytes([len(b)]) + b
        elif isinstance(v, int):
            if 0 <= v < 256:
                o += b"K" + bytes([v])
            elif 0 <= v < 65536:
                o += b"M" + struct.pack("<H", v)
            else:
                o += b"J" + struct.pack("<i", v)
        elif isinstance(v, float):
            o += b"G" + struct.pack(">d", v)
        elif isinstance(v, Py2Str):
            key = ("str", bytes(v))
            if key in self.memo:
                return self.get(key)
            o += (b"U" + bytes([len(v)]) if len(v) < 256 else b"T" + struct.pack("<i", len(v))) + bytes(v)
            self.put(key)
        elif isinstance(v, Global):
            key = ("global", v.module, v.name)
            if key in self.memo:
                return self.get(key)
            o += b"c" + v.module.encode() + b"\n" + v.name.encode() + b"\n"
            self.put(key)
        elif isinstance(v, tuple):
            if not v:
                o += b")"
                return
            if len(v) <= 3:
                for x in v:
                    self.save(x)
                o += {1: b"\x85", 2: b"\x86", 3: b"\x87"}[len(v)]
            else:
                o += b"("
                for x in v:
                    self.save(x)
                o += b"t"
            self.put(("obj", id(v)))
        elif isinstance(v, list):
            o += b"]"
            self.put(("obj", id(v)))
            self.items(v, b"a", b"e", lambda x: self.save(x))
        elif isinstance(v, dict):
            o += b"}"
            self.put(("obj", id(v)))
            pairs = list(v.items())
            self.items(pairs, b"s", b"u", lambda kv: (self.save(kv[0]), self.save(kv[1])))
        elif isinstance(v, Reduce):
            self.save(v.func)
            self.save(v.args)
            o += b"R"
            self.put(("obj", id(v)))
            if v.state is not None:
                self.save(v.state)
                o += b"b"
        elif isinstance(v, NewObj):
            self.save(v.cls)
            o += b")\x81"
            self.put(("obj", id(v)))
            self.save(v.state)
            o += b"b"
        elif isinstance(v, PersId):
            self.save(v.pid)
            o += b"Q"
        else:
            raise TypeError(type(v))

    def items(self, seq, one, many, write):
        if len(seq) == 1:
            write(seq[0])
            self.out += one
        elif seq:
            self.out += b"("
            for x in seq:
                write(x)
            self.out += many

    def dump(self, v):
        self.save(v)
        self.out += b"."
        return bytes(self.out)


def pickle(v):
    return Py2Pickler().dump(v)


class Storages:
    """torch's legacy persistent ids for storages: keys are decimal strings (str(id) in torch)."""

    def __init__(self):
        self.data = {}

    def tensor(self, t, requires_grad=False):
        t = t.detach().contiguous().float()
        key = str(140000000000 + 7919 * len(self.data))  # stands in for str(id(storage))
        self.data[key] = t.numpy().astype("<f4").tobytes()
        pid = PersId((s("storage"), Global("torch", "FloatStorage"), s(key), s("cpu"), Long(t.numel()), None))
        return Reduce(Global("torch._utils", "_rebuild_tensor_v2"),
                      (pid, Long(0), tuple(Long(d) for d in t.shape), tuple(Long(d) for d in t.stride()),
                       requires_grad, odict([])))

    def parameter(self, t):
        return Reduce(Global("torch._utils", "_rebuild_parameter"), (self.tensor(t, True), True, odict([])))

    def container(self, obj):
        keys = sorted(self.data)
        out = pickle(Long(0x1950a86a20f9469cfc6c)) + pickle(1001)
        out += pickle({s("protocol_version"): 1001, s("little_endian"): True,
                       s("type_sizes"): {s("short"): 2, s("int"): 4, s("long"): 4}})
        out += pickle(obj) + pickle([s(k) for k in keys])
        for k in keys:
            b = self.data[k]
            out += struct.pack("<q", len(b) // 4) + b
        return out


# The hyperparameters each torch 1.3 module class set in __init__ (Python 2 str names and values).
def hyper(m):
    t = lambda v: tuple(v) if isinstance(v, (tuple, list)) else v
    if isinstance(m, torch.nn.Conv2d):
        return {"in_channels": m.in_channels, "out_channels": m.out_channels, "kernel_size": t(m.kernel_size),
                "stride": t(m.stride), "padding": t(m.padding), "dilation": t(m.dilation), "transposed": False,
                "output_padding": t(m.output_padding), "groups": m.groups, "padding_mode": s("zeros")}
    if isinstance(m, torch.nn.Linear):
        return {"in_features": m.in_features, "out_features": m.out_features}
    if isinstance(m, torch.nn.MaxPool2d):
        return {"kernel_size": m.kernel_size, "stride": m.stride, "padding": m.padding, "dilation": m.dilation,
                "return_indices": False, "ceil_mode": False}
    if isinstance(m, torch.nn.AvgPool2d):
        return {"kernel_size": m.kernel_size, "stride": m.stride, "padding": m.padding, "ceil_mode": False,
                "count_include_pad": True, "divisor_override": None}
    if isinstance(m, torch.nn.ReLU):
        return {"inplace": False}
    if isinstance(m, torch.nn.Softmax):
        return {"dim": m.dim}
    if isinstance(m, torch.nn.Flatten):
        return {"start_dim": m.start_dim, "end_dim": m.end_dim}
    if isinstance(m, (torch.nn.Tanh, torch.nn.Sequential)):
        return {}
    raise TypeError(type(m))


def module(m, storages, seen):
    cls = type(m)
    g = Global(cls.__module__, cls.__name__)
    if cls not in seen:  # torch's persistent_id: the class with its source, the first time only
        seen.add(cls)
        g = PersId((s("module"), g, s(inspect.getsourcefile(cls)), s(inspect.getsource(cls))))
    state = {s(k): v for k, v in hyper(m).items()}
    state[s("_backend")] = Reduce(Global("torch.nn.backends.thnn", "_get_thnn_function_backend"), ())
    state[s("training")] = False
    state[s("_parameters")] = odict([(s(k), storages.parameter(p)) for k, p in m._parameters.items()])
    for hooks in ["_buffers", "_backward_hooks", "_forward_hooks", "_forward_pre_hooks", "_state_dict_hooks",
                  "_load_state_dict_pre_hooks"]:
        state[s(hooks)] = odict([])
    state[s("_modules")] = odict([(s(k), module(c, storages, seen)) for k, c in m._modules.items()])
    return NewObj(g, dict(sorted(state.items())))


def state_dict(model, storages):
    sd = model.state_dict()
    metadata = odict([(s(k), {s("version"): v["version"]}) for k, v in sd._metadata.items()])
    return odict([(s(k), storages.tensor(v)) for k, v in sd.items()], {s("_metadata"): metadata})


def check(path, model_name, full):
    """Real PyTorch reads the file as a Python 3 user must (encoding='latin1'); the same numbers as the source
    model it was made from (bit for bit, in this process), and as testdata's recorded outputs."""
    obj = torch.load(path, encoding="latin1")
    if full:
        model = obj
    else:
        model = torch.load(os.path.join(TDIR, model_name + ".pt"))
        model.load_state_dict(obj)
    model.eval()
    x = torch.from_numpy(np.fromfile(os.path.join(TDIR, "inputs_16x1x28x28.f32"), "<f4").reshape(16, 1, 28, 28))
    source = torch.load(os.path.join(TDIR, model_name + ".pt")).eval()
    with torch.no_grad():
        y = model(x).numpy()
        y0 = source(x).numpy()
    ref = np.fromfile(os.path.join(TDIR, model_name + ".outputs.f32"), "<f4").reshape(16, 10)
    diff = float(np.abs(y - ref).max())
    print("%s: torch.load(encoding='latin1') -> outputs identical to %s.pt's: %s; max_abs_diff vs %s.outputs.f32: %.3e" % (
        os.path.basename(path), model_name, bool((y == y0).all()), model_name, diff))
    if not (y == y0).all() or diff > 1e-6:
        sys.exit("%s: PyTorch's numbers differ from the source model's" % path)


ARCH_TANH = ("Sequential(Conv2d(1, 6, kernel_size=5, padding=2), Tanh(), AvgPool2d(2), Conv2d(6, 16, kernel_size=5), Tanh(), "
             "AvgPool2d(2), Conv2d(16, 120, kernel_size=5), Tanh(), Flatten(), Linear(120, 84), Tanh(), Linear(84, 10), "
             "Softmax(dim=1))")



def write(name, data):
    with open(os.path.join(TDIR, name), "wb") as f:
        f.write(data)


def main():
    relu = torch.load(os.path.join(TDIR, "lenet5_relu.pt"))
    st = Storages()
    write("lenet5_relu_py2_torch13.pt", st.container(module(relu, st, set())))
    check(os.path.join(TDIR, "lenet5_relu_py2_torch13.pt"), "lenet5_relu", True)
    manifest("py2_legacy.py", "lenet5_relu_py2_torch13.pt", "lenet5_relu",
             "full model, legacy format as Python 2.7 with torch 1.3 wrote it (py2_legacy.py)")

    tanh = torch.load(os.path.join(TDIR, "lenet5_tanh.pt"))
    st = Storages()
    write("lenet5_tanh_py2_state_dict.pt", st.container(state_dict(tanh, st)))
    check(os.path.join(TDIR, "lenet5_tanh_py2_state_dict.pt"), "lenet5_tanh", False)
    manifest("py2_legacy.py", "lenet5_tanh_py2_state_dict.pt", "lenet5_tanh",
             "state_dict, legacy format as Python 2.7 with torch 1.x wrote it (py2_legacy.py)", ARCH_TANH)


if __name__ == "__main__":
    main()
