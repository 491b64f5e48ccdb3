#!/usr/bin/env bash
# Training throughput in one run, on the same data (8,000 MNIST digits) and the same MLP 784-256-10 at batch 64:
# the ONNX Runtime engine, the plain-Java reference, a numpy reference (skipped when python3/numpy is absent),
# the GEMM ceiling through ONNX Runtime (MatMul 2048^3, same intra-op threads, timed alternately with the
# engine) and the engine's fraction of it; the engine and numpy again with plain SGD (momentum 0); the engine with
# thread tuning (as train-shard runs it); the per-core figures (engine and GEMM on 1 thread); then the CNN on the
# engine and on the plain-Java reference; last, libtorch itself as the peer of both (MLP and CNN; TorchPeer, through
# the JavaCPP presets on the test class path, skipped with a message when they cannot load).
#
# usage: scripts/bench-train.sh [--threads N] [--rows N] [--provider cpu|cuda] [--svg FILE]
#   --threads  ONNX Runtime intra-op threads, libtorch intra-op threads and OpenBLAS threads (default: nproc)
#   --rows     MNIST rows (default 8000)
#   --provider execution provider of the engine runs (default cpu; cuda needs a -Pgpu build and a GPU;
#              the GEMM ceiling, numpy and plain-Java figures stay on the CPU)
#   --svg      also write a bar chart of samples/s to FILE
# Last line of output: one JSON object with every figure.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
threads=$(nproc)
rows=8000
svg=""
provider=cpu
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --rows) rows=$2; shift 2 ;;
        --svg) svg=$2; shift 2 ;;
        --provider) provider=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

data=$("$script_dir/fetch-datasets.sh" mnist)
work=$(mktemp -d "${TMPDIR:-/tmp}/cnai-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$repo"
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/'); threads $threads; rows $rows" >&2
mvn -B -q -pl shared test-compile >&2
mvn -B -q -pl shared dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >&2
# the class path goes in CLASSPATH, not -cp: ONNX Runtime 1.29 reads /proc/self/cmdline when its environment starts
# and overflows the stack (SIGSEGV, no hs_err file) on a command line as long as this ~9 kB class path
export CLASSPATH="shared/target/test-classes:shared/target/classes:$(cat "$work/cp.txt")"
java \
    dev.cnai.bench.TrainBenchmark --data "$data" --rows "$rows" --threads "$threads" --provider "$provider" --dump "$work/mnist.bin" \
    2> >(grep -v "INFO\|training engine\|OnnxTrainer create\|OnnxTrainer run" >&2) | tee "$work/java.out"

if command -v python3 >/dev/null && python3 -c 'import numpy' 2>/dev/null; then
    OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
        python3 "$script_dir/bench_numpy.py" "$work/mnist.bin" | tee "$work/numpy.out"
    # numpy on one BLAS thread too: the peer of the thread-tuned engine is numpy's faster setting
    echo "numpy on 1 BLAS thread:"
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        python3 "$script_dir/bench_numpy.py" "$work/mnist.bin" | tee "$work/numpy1.out"
else
    echo "numpy reference skipped: python3 with numpy is not available"
    echo '{"numpy_samples_per_s": null, "numpy_plain_sgd_samples_per_s": null}' > "$work/numpy.out"
    echo '{"numpy_samples_per_s": null, "numpy_plain_sgd_samples_per_s": null}' > "$work/numpy1.out"
fi

# libtorch in its own JVM (its OpenMP and OpenBLAS pools stay out of the engine's runs), on the same dumped rows:
# on --threads, and on 1 thread too (as numpy: on a small machine its faster setting may be that one)
torch_peer() { # threads, output file
    local status=0
    timeout 900 java dev.cnai.bench.TorchPeer "$work/mnist.bin" --threads "$1" >"$2" 2>"$work/torch.err" \
        || status=$?
    cat "$2"
    if [ "$status" -ne 0 ] || ! tail -n 1 "$2" | grep -q '^{'; then
        echo "libtorch peer skipped: TorchPeer --threads $1 exited with status $status$([ "$status" -ne 124 ] \
            || echo ' (timed out)'): $(tail -n 1 "$work/torch.err")"
        echo '{"torch_samples_per_s": null, "torch_cnn_samples_per_s": null, "torch_threads": null}' >"$2"
    fi
}
torch_peer "$threads" "$work/torch.out"
if [ "$threads" -gt 1 ]; then
    echo "libtorch on 1 thread:"
    torch_peer 1 "$work/torch1.out"
else
    cp "$work/torch.out" "$work/torch1.out"
fi

if ! command -v python3 >/dev/null; then
    tail -n 1 "$work/java.out"
    exit 0
fi
python3 - "$work/java.out" "$work/numpy.out" "$svg" "$work/numpy1.out" "$work/torch.out" \
    "$work/torch1.out" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
r.update(json.loads(open(sys.argv[2]).read().strip().splitlines()[-1]))
one = json.loads(open(sys.argv[4]).read().strip().splitlines()[-1])
r["numpy_1thread_samples_per_s"] = one["numpy_samples_per_s"]
r.update(json.loads(open(sys.argv[5]).read().strip().splitlines()[-1]))
torch1 = json.loads(open(sys.argv[6]).read().strip().splitlines()[-1])
r["torch_1thread_samples_per_s"] = torch1["torch_samples_per_s"]
r["torch_1thread_cnn_samples_per_s"] = torch1["torch_cnn_samples_per_s"]
if r.get("torch_samples_per_s") and r.get("torch_cnn_samples_per_s"):
    r["ort_vs_torch"] = round(r["ort_samples_per_s"] / r["torch_samples_per_s"], 2)
    r["cnn_ort_vs_torch"] = round(r["cnn_ort_samples_per_s"] / r["torch_cnn_samples_per_s"], 2)
    print(f"engine vs libtorch ({r['threads']} vs {r['torch_threads']} intra-op threads): MLP {r['ort_vs_torch']}x "
          f"({r['ort_samples_per_s']:.0f} vs {r['torch_samples_per_s']:.0f} samples/s); CNN {r['cnn_ort_vs_torch']}x "
          f"({r['cnn_ort_samples_per_s']:.0f} vs {r['torch_cnn_samples_per_s']:.0f})")
best = max(r.get("torch_samples_per_s") or 0, r["torch_1thread_samples_per_s"] or 0)
best_cnn = max(r.get("torch_cnn_samples_per_s") or 0, r["torch_1thread_cnn_samples_per_s"] or 0)
if best and best_cnn:
    r["ort_vs_torch_best"] = round(r["ort_samples_per_s"] / best, 2)
    r["cnn_ort_vs_torch_best"] = round(r["cnn_ort_samples_per_s"] / best_cnn, 2)
    print(f"engine vs libtorch on its faster thread count: MLP {r['ort_vs_torch_best']}x ({best:.0f} samples/s); "
          f"CNN {r['cnn_ort_vs_torch_best']}x ({best_cnn:.0f})")
if r.get("numpy_samples_per_s"):
    r["ort_vs_numpy"] = round(r["ort_samples_per_s"] / r["numpy_samples_per_s"], 2)
    print(f"engine vs numpy: {r['ort_vs_numpy']}x; vs plain Java: {r['ort_vs_java']}x; "
          f"{100 * r['ort_gemm_fraction']:.1f}% of {r['gemm_gflops']} GFLOP/s")
    best = max(r["numpy_samples_per_s"], r["numpy_1thread_samples_per_s"] or 0)
    r["ort_tuned_vs_numpy_best"] = round(r["ort_tuned_samples_per_s"] / best, 2)
    print(f"engine with thread tuning vs numpy on its faster thread count ({best:.0f} samples/s): "
          f"{r['ort_tuned_vs_numpy_best']}x; {100 * r['ort_tuned_gemm_fraction']:.1f}% of the GEMM ceiling")
if r.get("numpy_plain_sgd_samples_per_s"):
    r["ort_vs_numpy_plain_sgd"] = round(r["ort_plain_sgd_samples_per_s"] / r["numpy_plain_sgd_samples_per_s"], 2)
    print(f"plain SGD (momentum 0): engine vs numpy {r['ort_vs_numpy_plain_sgd']}x; "
          f"{100 * r['ort_plain_sgd_gemm_fraction']:.1f}% of the GEMM ceiling")
if sys.argv[3]:
    bars = [("MLP: ONNX Runtime engine", r["ort_samples_per_s"]),
            ("MLP: engine, thread tuning", r["ort_tuned_samples_per_s"]),
            ("MLP: numpy", r.get("numpy_samples_per_s") or 0),
            ("MLP, plain SGD: ONNX Runtime", r["ort_plain_sgd_samples_per_s"]),
            ("MLP, plain SGD: numpy", r.get("numpy_plain_sgd_samples_per_s") or 0),
            ("MLP: libtorch", r.get("torch_samples_per_s") or 0),
            ("MLP: plain Java", r["java_samples_per_s"]), ("CNN: ONNX Runtime engine", r["cnn_ort_samples_per_s"]),
            ("CNN: libtorch", r.get("torch_cnn_samples_per_s") or 0),
            ("CNN: plain Java", r["cnn_java_samples_per_s"])]
    top = max(v for _, v in bars)
    rowh, left, width = 34, 210, 420
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 120}" height="{rowh * len(bars) + 50}" '
           'font-family="sans-serif" font-size="13">',
           f'<text x="10" y="20" font-weight="bold">Training samples/s ({r["threads"]} threads, batch {r["batch"]}, '
           f'{r["rows"]} MNIST rows)</text>']
    for i, (label, v) in enumerate(bars):
        y = 36 + i * rowh
        w = 0 if top == 0 else max(1, int(width * v / top))
        color = "#2b6cb0" if "ONNX" in label else "#a0aec0"
        out.append(f'<text x="10" y="{y + 17}">{label}</text>')
        out.append(f'<rect x="{left}" y="{y + 4}" width="{w}" height="20" fill="{color}"/>')
        out.append(f'<text x="{left + w + 6}" y="{y + 19}">{v:,.0f}</text>')
    out.append("</svg>")
    open(sys.argv[3], "w").write("\n".join(out) + "\n")
print(json.dumps(r))
PY
