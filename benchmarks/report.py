#!/usr/bin/python3
"""Merges the JMH, PyTorch and end-to-end results of benchmarks/run.sh into one table (stdout and
results/results.md), results/results.csv, results/results.json and a chart results/throughput.png."""
import argparse
import csv
import json
import os
import platform

HERE = os.path.dirname(os.path.abspath(__file__))
BATCHES = [1, 32, 256, 1024]


def lenet5_flops():
    """Exact multiply-adds x 2 of the tutorial LeNet-5 (bias adds, tanh, pooling and softmax not counted)."""
    macs = 0
    macs += 6 * 28 * 28 * (1 * 5 * 5)      # Conv2d(1,6,5,padding=2): 28x28 outputs
    macs += 16 * 10 * 10 * (6 * 5 * 5)     # Conv2d(6,16,5) on 14x14
    macs += 120 * 1 * 1 * (16 * 5 * 5)     # Conv2d(16,120,5) on 5x5
    macs += 84 * 120 + 10 * 84             # Linear(120,84), Linear(84,10)
    return 2 * macs


def load_jmh(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f)


def jmh_rows(path, engine):
    rows = []
    for r in load_jmh(path):
        batch, threads = int(r["params"]["batch"]), int(r["params"].get("threads", 1))
        pm = r["primaryMetric"]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        row = {"engine": engine, "threads": threads, "batch": batch, "forks": r["forks"],
               "warmup": f'{r["warmupIterations"]}x{r["warmupTime"]}', "measurement": f'{r["measurementIterations"]}x{r["measurementTime"]}',
               "alloc_bytes_per_op": alloc, "jvm_args": " ".join(r.get("jvmArgs", [])), "jdk": r.get("jdkVersion")}
        if r["mode"] == "thrpt":
            row["images_per_s"] = pm["score"] * batch
            row["error"] = pm["scoreError"] * batch
        else:  # sample time, us/op
            p = pm["scorePercentiles"]
            row.update({"latency_us_mean": pm["score"], "p50_us": p["50.0"], "p99_us": p["99.0"], "p999_us": p["99.9"]})
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", default=os.path.join(HERE, "results", "raw"))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--mode", default="full")
    a = ap.parse_args()
    raw = a.raw
    rows = (jmh_rows(os.path.join(raw, "engine.json"), "lenet5")
            + jmh_rows(os.path.join(raw, "engine-2threads.json"), "lenet5")
            + jmh_rows(os.path.join(raw, "engine-scalar.json"), "lenet5-scalar")
            + jmh_rows(os.path.join(raw, "ort.json"), "onnxruntime")
            + jmh_rows(os.path.join(raw, "ort-2threads.json"), "onnxruntime")
            + jmh_rows(os.path.join(raw, "dl4j.json"), "dl4j"))
    latency = jmh_rows(os.path.join(raw, "latency.json"), "lenet5")
    torch_meta = {}
    if os.path.exists(os.path.join(raw, "torch.json")):
        with open(os.path.join(raw, "torch.json")) as f:
            torch_meta = json.load(f)
        rows += torch_meta.pop("results")
    e2e = {}
    if os.path.exists(os.path.join(raw, "e2e.json")):
        with open(os.path.join(raw, "e2e.json")) as f:
            e2e = json.load(f)

    flops = lenet5_flops()

    def get(engine, batch, threads=1):
        for r in rows:
            if r["engine"] == engine and r["batch"] == batch and r["threads"] == threads and "images_per_s" in r:
                return r
        return None

    def ips(engine, batch, threads=1):
        r = get(engine, batch, threads)
        return r["images_per_s"] if r else None

    fmt = lambda v: "n/a" if v is None else f"{v:,.0f}"
    ratio = lambda a_, b_: "n/a" if a_ is None or b_ is None else f"{a_ / b_:.2f}x"
    lines = []
    lines.append(f"Mode: {a.mode}. LeNet-5 (lenet5_tanh), {flops:,} FLOP/image (2 x multiply-adds). Images/s, one thread unless noted.")
    lines.append("")
    lines.append("| batch | lenet5 Vector API | GFLOP/s | lenet5 plain Java | ONNX Runtime | Vector / ORT | plain / ORT | "
                 "PyTorch eager | PyTorch JIT | DL4J | lenet5 / best PyTorch | lenet5 / DL4J | lenet5 B/op | lenet5 2 threads | 2 thr / 1 thr |")
    lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for b in BATCHES:
        e = ips("lenet5", b)
        if e is None and ips("onnxruntime", b) is None:
            continue
        best_torch = max([v for v in (ips("pytorch-eager", b), ips("pytorch-jit", b)) if v is not None], default=None)
        e2, sc, ort = ips("lenet5", b, 2), ips("lenet5-scalar", b), ips("onnxruntime", b)
        r = get("lenet5", b)
        alloc = r.get("alloc_bytes_per_op") if r else None
        lines.append(f"| {b} | {fmt(e)} | {'n/a' if e is None else f'{e * flops / 1e9:.1f}'} | {fmt(sc)} | {fmt(ort)} | "
                     f"{ratio(e, ort)} | {ratio(sc, ort)} | "
                     f"{fmt(ips('pytorch-eager', b))} | {fmt(ips('pytorch-jit', b))} | {fmt(ips('dl4j', b))} | "
                     f"{ratio(e, best_torch)} | {ratio(e, ips('dl4j', b))} | {'n/a' if alloc is None else f'{alloc:.2g}'} | "
                     f"{fmt(e2)} | {ratio(e2, e)} |")
    lines.append("")
    lines.append("Two threads (PyTorch: torch.set_num_threads(2); ONNX Runtime: 2 intra-op threads; lenet5: newPredictor(layout, 2)):")
    lines.append("")
    lines.append("| batch | lenet5 2 threads | 2 thr / 1 thr | ONNX Runtime 2 | lenet5 / ORT | PyTorch eager 2 | PyTorch JIT 2 | lenet5 / best PyTorch |")
    lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for b in (256, 1024):
        e2 = ips("lenet5", b, 2)
        if e2 is None:
            continue
        bt = max([v for v in (ips("pytorch-eager", b, 2), ips("pytorch-jit", b, 2)) if v is not None], default=None)
        lines.append(f"| {b} | {fmt(e2)} | {ratio(e2, ips('lenet5', b))} | {fmt(ips('onnxruntime', b, 2))} | {ratio(e2, ips('onnxruntime', b, 2))} | "
                     f"{fmt(ips('pytorch-eager', b, 2))} | {fmt(ips('pytorch-jit', b, 2))} | {ratio(e2, bt)} |")
    if latency:
        lines.append("")
        lines.append("Latency of one predict call, lenet5, one thread (JMH sample mode, microseconds):")
        lines.append("")
        lines.append("| batch | mean | p50 | p99 | p99.9 |")
        lines.append("|---:|---:|---:|---:|---:|")
        for r in sorted(latency, key=lambda r: r["batch"]):
            lines.append(f"| {r['batch']} | {r['latency_us_mean']:.1f} | {r['p50_us']:.1f} | {r['p99_us']:.1f} | {r['p999_us']:.1f} |")
    dl = [r for r in rows if r["engine"] == "dl4j" and r.get("alloc_bytes_per_op") is not None]
    if dl:
        lines.append("")
        lines.append("Allocation per call (JMH -prof gc, gc.alloc.rate.norm; for lenet5 this is JMH's own per-iteration "
                     "bookkeeping spread over the calls: core's ConcurrencyTest measures exactly 0 bytes per call): " + ", ".join(
            f"{r['engine']}{' (2 threads)' if r['threads'] == 2 else ''} batch {r['batch']}: {r['alloc_bytes_per_op']:,.0f} B"
            for r in sorted(dl + [r for r in rows if r["engine"].startswith("lenet5") and r.get("alloc_bytes_per_op") is not None],
                            key=lambda r: (r["engine"], r["threads"], r["batch"]))))
    if e2e:
        lines.append("")
        lines.append(f"End to end, {e2e['images']:,} MNIST images, whole process (median of {e2e['runs']} runs): "
                     f"`{e2e['lenet5_command']}` {e2e['lenet5_s']:.2f} s; `{e2e['torch_command']}` {e2e['torch_s']:.2f} s "
                     f"({e2e['torch_s'] / e2e['lenet5_s']:.1f}x).")
        if "startup_s" in e2e:
            lines.append("")
            lines.append(f"Start-up, one image, whole process (median of {e2e['startup_runs']} runs): "
                         f"`{e2e['startup_command']}` {e2e['startup_s']:.3f} s.")
    table = "\n".join(lines)
    print(table)

    out = a.out
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["engine", "threads", "batch", "images_per_s", "gflops", "alloc_bytes_per_op"])
        for r in sorted(rows, key=lambda r: (r["engine"], r["threads"], r["batch"])):
            if "images_per_s" in r:
                w.writerow([r["engine"], r["threads"], r["batch"], f"{r['images_per_s']:.0f}",
                            f"{r['images_per_s'] * flops / 1e9:.2f}", r.get("alloc_bytes_per_op", "")])
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"mode": a.mode, "flops_per_image": flops, "cpu": cpu, "cores": os.cpu_count(),
                   "torch": torch_meta, "end_to_end": e2e, "rows": rows, "latency": latency}, f, indent=1)
    chart(rows, os.path.join(out, "throughput.png"), a.mode, cpu)


def chart(rows, path, mode, cpu):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(no chart: apt-get install python3-matplotlib)")
        return
    fig, ax = plt.subplots(figsize=(10, 5))
    series = [("lenet5", 1, "lenet5 (Vector API), 1 thread"), ("lenet5", 2, "lenet5 (Vector API), 2 threads"),
              ("lenet5-scalar", 1, "lenet5 (plain Java), 1 thread"), ("onnxruntime", 1, "ONNX Runtime, 1 thread"),
              ("onnxruntime", 2, "ONNX Runtime, 2 threads"), ("pytorch-jit", 1, "PyTorch 1.13 TorchScript, 1 thread"),
              ("pytorch-eager", 1, "PyTorch 1.13 eager, 1 thread"), ("pytorch-jit", 2, "PyTorch 1.13 TorchScript, 2 threads"),
              ("dl4j", 1, "DL4J 1.0.0-M2.1, 1 thread")]
    for engine, threads, label in series:
        pts = sorted((r["batch"], r["images_per_s"]) for r in rows
                     if r["engine"] == engine and r["threads"] == threads and "images_per_s" in r)
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label,
                    linestyle="--" if threads == 2 else "-")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(BATCHES)
    ax.set_xticklabels([str(b) for b in BATCHES])
    ax.set_xlabel("batch size")
    ax.set_ylabel("images / s")
    ax.set_title(f"LeNet-5 inference throughput ({mode} run)\n{cpu}, {os.cpu_count()} cores", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print("chart:", path)


if __name__ == "__main__":
    main()
