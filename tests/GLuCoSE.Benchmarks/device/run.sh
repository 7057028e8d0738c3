#!/usr/bin/env bash
# The issue-3 device run: the C# throughput benchmark on the accelerator machine's CPU (no dotnet there: a
# self-contained publish) beside onnxruntime (Python) and sentence-transformers, on the same full-size random
# graph and the same synthetic corpus (make_corpus.py; the JGLUE files stay on the development machine).
# usage, from the repository root after prepare.sh:  OUT=dir bash tests/GLuCoSE.Benchmarks/device/run.sh [.dev]
source "$(dirname "$0")/setup.sh" "$@"
set -o pipefail
# One run, three programs in turn; each bounded so the whole stays inside one call.
timeout 220 python3 "$here/python_baselines.py" "$work/model" "$work/corpus.json" "$src/shared/tools/mluke-ref-ids" \
  --batch-size 32 --rounds 2 --json "$out/python.json" 2>&1 | tee "$out/python.log"
timeout 200 "$bench" throughput --model "$work/model" --corpus "$work/corpus.json" \
  --rounds 1 --batch-sizes 32 --token-budgets 1024 --no-concurrent 2>&1 | tee "$out/throughput.log"
timeout 120 "$bench" concurrent --model "$work/model" --corpus "$work/corpus.json" \
  --callers 1,4,32 --rounds 1 2>&1 | tee "$out/concurrent.log"
echo "device run done"
