#!/usr/bin/env bash
# The batching defaults on many cores: `policies` (fp32 and int8) on the accelerator machine's CPU, with larger
# batches than the 2-core development machine favours; then `throughput` (library against the bare floor, blocks
# interleaved) and onnxruntime from Python with its time split into tokenizing, session.run and the rest.
# usage, from the repository root after prepare.sh:  OUT=dir bash tests/GLuCoSE.Benchmarks/device/defaults.sh [.dev]
source "$(dirname "$0")/setup.sh" "$@"
set -o pipefail
policies=128:1024,128:1024/off,128:4096/off,256:2048,512:8192/off
timeout 90 python3 "$here/python_baselines.py" "$work/model" "$work/corpus.json" "$src/shared/tools/mluke-ref-ids" \
  --batch-size 32 --rounds 2 --no-sentence-transformers --json "$out/python.json" 2>&1 | tee "$out/python.log"
for variant in fp32 int8; do
  timeout 150 "$bench" policies --model "$work/model" --corpus "$work/corpus.json" --variant $variant --rounds 3 \
    --policies $policies 2>&1 | tee "$out/policies-$variant.log"
done
timeout 170 "$bench" throughput --model "$work/model" --corpus "$work/corpus.json" \
  --rounds 1 --batch-sizes 32 --token-budgets 1024 --no-concurrent 2>&1 | tee "$out/throughput.log"
echo "device run done"
