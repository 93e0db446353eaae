#!/usr/bin/python3
"""PyTorch 1.13 on the same LeNet-5 (testdata/torch/lenet5_tanh.pt) and the same MNIST digits as the JMH
benchmarks: eager mode and TorchScript `torch.jit.optimize_for_inference(torch.jit.script(model))`,
with torch.set_num_threads(1) and (2), at each batch size. Images/s per configuration: the median of
several timed windows after a warm-up. Run with Debian's interpreter: /usr/bin/python3 benchmarks/torch_bench.py
"""
import argparse
import gzip
import json
import os
import statistics
import time

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def mnist(n):
    raw = gzip.open(os.path.join(ROOT, "testdata/mnist/test-images-idx3-ubyte.gz")).read()[16:]
    x = np.frombuffer(raw, dtype=np.uint8).astype(np.float32) / 255
    reps = -(-n * 784 // x.size)
    return torch.from_numpy(np.tile(x, reps)[: n * 784].copy()).reshape(n, 1, 28, 28)


def rate(fn, x, warmup, window, windows):
    """Median images/s over `windows` timed windows of about `window` seconds each."""
    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        fn(x)
    rates = []
    for _ in range(windows):
        calls, t0 = 0, time.perf_counter()
        while True:
            fn(x)
            calls += 1
            t = time.perf_counter() - t0
            if t >= window:
                break
        rates.append(calls * x.shape[0] / t)
    return statistics.median(rates), min(rates), max(rates)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--batches", default="1,32,256,1024")
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--window", type=float, default=2.0)
    ap.add_argument("--windows", type=int, default=5)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_interop_threads(1)
    model = torch.load(os.path.join(ROOT, "testdata/torch/lenet5_tanh.pt")).eval()
    with torch.inference_mode():
        scripted = torch.jit.optimize_for_inference(torch.jit.script(model))
        check = mnist(64)
        diff = (scripted(check) - model(check)).abs().max().item()
    results = []
    for threads in [int(t) for t in a.threads.split(",")]:
        torch.set_num_threads(threads)
        for batch in [int(b) for b in a.batches.split(",")]:
            x = mnist(batch)
            for name, m in (("pytorch-eager", model), ("pytorch-jit", scripted)):
                with torch.inference_mode():
                    med, lo, hi = rate(m, x, a.warmup, a.window, a.windows)
                results.append({"engine": name, "threads": threads, "batch": batch,
                                "images_per_s": med, "min": lo, "max": hi})
                print(f"{name:14s} threads={threads} batch={batch:5d}: {med:10.0f} images/s ({lo:.0f}..{hi:.0f})", flush=True)
    with open(a.out, "w") as f:
        json.dump({"torch": torch.__version__, "jit_vs_eager_max_abs": diff,
                   "mkldnn": torch.backends.mkldnn.is_available(), "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
