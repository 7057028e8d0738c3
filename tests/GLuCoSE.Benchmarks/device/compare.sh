#!/usr/bin/env bash
# The library beside Python on the same machine, taking turns: three repetitions of onnxruntime from Python
# (length-sorted batches of 32; sentence-transformers too in the first) and the library's Encode with batches of
# 32 and with its defaults (`policies`), fp32 and int8. The machine drifts by 10% or more within minutes, so only
# numbers of one repetition are compared.
# usage, from the repository root after prepare.sh:  OUT=dir bash tests/GLuCoSE.Benchmarks/device/compare.sh [.dev]
source "$(dirname "$0")/setup.sh" "$@"
set -o pipefail
for rep in 1 2 3; do
  echo "## repetition $rep"
  st=--no-sentence-transformers
  [ $rep = 1 ] && st=
  timeout 100 python3 "$here/python_baselines.py" "$work/model" "$work/corpus.json" "$src/shared/tools/mluke-ref-ids" \
    --batch-size 32 --rounds 1 $st --json "$out/python-$rep.json" 2>&1 | grep -v -E 'Warning|state = |Writing model|Loading weights|deprecated'
  for variant in fp32 int8; do
    timeout 60 "$bench" policies --model "$work/model" --corpus "$work/corpus.json" --variant $variant --rounds 1 \
      --policies 32:4096/off,128:1024 2>&1 | grep -E '^model'
  done
done 2>&1 | tee "$out/compare.log"
echo "device run done"
