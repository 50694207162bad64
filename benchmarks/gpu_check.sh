#!/usr/bin/env bash
# The one-shot GPU check (issue 20), sized for about 8 minutes on one GPU:
#   1. every notebook at the smoke profile on CUDA (gpkit reproduce --profile smoke, one at a time);
#   2. the GPU benchmarks: fp32 / TF32 / channels_last / bf16 / torch.compile GP critic steps, the Algorithm 1 loop's
#      measured GPU hours for the paper profile (bench_gpu), bf16 against fp32 per critic family (bench_precision),
#      and the paper profiles' counted cost with measured GPU hours (bench_cost);
#   3. one table: $OUT/gpu_check.md (and the raw bench.json, reproduce.json, logs beside it).
#
# On the lent GPU machine (the device tool): its python3 has torch but not papermill and friends, and it reaches no
# registry. Here, first: `bash benchmarks/gpu_wheels.sh` (writes .whl/); then
#   run(command="bash benchmarks/gpu_check.sh", carry=[".whl", "data/MNIST", "data/fortunes"], timeout_s=560)
# and copy the table into the README. Elsewhere (a GPU node with `make setup` done) just run it.
# Exit status: 0 when every part ran, 1 when one failed, 3 without CUDA (GPKIT_GPU_CHECK_ALLOW_CPU=1 runs it anyway,
# for testing the script itself on a CPU).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT="${OUT:-$ROOT/benchmarks/gpu_check}"
mkdir -p "$OUT"
PY=python3
[ -x .venv/bin/python ] && PY=$ROOT/.venv/bin/python
if [ "$PY" = python3 ] && ls .whl/*.whl >/dev/null 2>&1; then   # the lent machine: no .venv, carried wheels
    $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/gpkit-site \
        .whl/*.whl || exit 1
    export PYTHONPATH="/tmp/gpkit-site:$ROOT${PYTHONPATH:+:$PYTHONPATH}"
    export PATH="/tmp/gpkit-site/bin:$PATH"
else
    export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
export GPKIT_CELL_TIMEOUT="${GPKIT_CELL_TIMEOUT:-240}"   # a stuck cell fails instead of eating the lease
T0=$(date +%s)

if ! $PY -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    if [ "${GPKIT_GPU_CHECK_ALLOW_CPU:-0}" != 1 ]; then
        echo "gpu_check: no CUDA device here (GPKIT_GPU_CHECK_ALLOW_CPU=1 runs the script on the CPU anyway)" >&2
        exit 3
    fi
    DEVICE=cpu
    BENCH_FLAGS="${GPKIT_GPU_CHECK_BENCH_FLAGS:---smoke}"   # a CPU test of the script: tiny benchmark sizes
else
    DEVICE=cuda
    BENCH_FLAGS="${GPKIT_GPU_CHECK_BENCH_FLAGS:-}"
fi
$PY -c "import torch; print('torch', torch.__version__, '| device:', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu')" | tee "$OUT/environment.txt"
# papermill starts the kernel named python3: make it this interpreter (with PYTHONPATH inherited)
$PY -m ipykernel install --user --name python3 --display-name "Python 3" >/dev/null 2>&1 || true

status=0
echo "== 1. notebooks at the smoke profile on $DEVICE"
timeout 270 $PY -m gpkit.cli reproduce --profile smoke --jobs 1 > "$OUT/reproduce.log" 2>&1 || status=1
cp runs/smoke/reproduce.json "$OUT/reproduce.json" 2>/dev/null || true
tail -3 "$OUT/reproduce.log"

echo "== 2. benchmarks (gpu, precision, cost) at $(( $(date +%s) - T0 )) s"
timeout 240 $PY -m gpkit.cli bench --only gpu,precision,cost --device "$DEVICE" --repeats 5 $BENCH_FLAGS \
    --out "$OUT/bench.json" > "$OUT/bench.log" 2>&1 || status=1
tail -5 "$OUT/bench.log"

echo "== 3. table at $(( $(date +%s) - T0 )) s"
$PY - "$OUT" "$(( $(date +%s) - T0 ))" <<'EOF' || status=1
import json, sys
from pathlib import Path

out, seconds = Path(sys.argv[1]), int(sys.argv[2])
lines = [f"# gpkit GPU check ({(out / 'environment.txt').read_text().strip()}; {seconds} s in all)", ""]
try:
    rep = json.loads((out / "reproduce.json").read_text())
    lines += ["| notebook (smoke profile) | status | seconds |", "| --- | --- | ---: |"]
    lines += [f"| {n['notebook']} | {'ok' if n['ok'] else 'FAILED: ' + str(n['error'])[:80]} | {n['seconds']:.0f} |"
              for n in rep["notebooks"]]
    lines += ["", f"{sum(n['ok'] for n in rep['notebooks'])}/{len(rep['notebooks'])} notebooks ran, "
              f"{rep['wall_seconds']:.0f} s wall time.", ""]
except (OSError, ValueError, KeyError) as err:
    lines += [f"notebooks: no reproduce.json ({err})", ""]
try:
    bench = json.loads((out / "bench.json").read_text())
    lines += ["| benchmark | case | ratio of | median | target | |", "| --- | --- | --- | ---: | --- | --- |"]
    for r in bench["results"]:
        target = f"{r['target'][0]} {r['target'][1]:g}" if r.get("target") else ""
        verdict = {True: "met", False: "missed", None: ""}[r.get("passed")]
        unit = "" if r.get("unit", "x") == "x" else f" {r['unit']}"
        lines.append(f"| {r['benchmark']} | {r['case']} | {r['what']} | {r['ratio']:.3g}{unit} | {target} | {verdict} |")
    lines += [f"| {e['benchmark']} | failed | {e['error'][:100]} | | | |" for e in bench.get("errors", [])]
except (OSError, ValueError, KeyError) as err:
    lines += [f"benchmarks: no bench.json ({err})"]
(out / "gpu_check.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
echo "gpu_check: done in $(( $(date +%s) - T0 )) s, status $status; table in $OUT/gpu_check.md"
exit $status
