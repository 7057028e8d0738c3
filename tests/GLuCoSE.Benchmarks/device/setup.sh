#!/usr/bin/env bash
# Sourced by run.sh, compare.sh and defaults.sh on the device machine: unpacks what prepare.sh packed (default .dev),
# writes the full-size random graphs and the synthetic corpus into a temporary folder, records the machine. Sets
# src, here, out, work (model in $work/model, corpus $work/corpus.json) and bench (the benchmark program).
set -u
src=${1:-.dev}
here=$(dirname "${BASH_SOURCE[0]}")
out=${OUT:-/tmp/device-out}
work=$(mktemp -d)
mkdir -p "$out" "$work/bench" "$work/model"
{ nproc; lscpu; free -g; python3 --version; } >"$out/machine.txt" 2>&1
grep -E "^[0-9]+$|Model name|Thread|Core|Socket|NUMA node\(s\)|L3|Mem:|Python" "$out/machine.txt"
tar -xJf "$src/bench.tar.xz" -C "$work/bench"
python3 "$src/shared/tools/make-bench-model" "$work/model" all
python3 "$here/make_corpus.py" "$work/model/sentencepiece.bpe.model" "$work/corpus.json"
bench="$work/bench/GLuCoSE.Benchmarks"
export PYTHONUNBUFFERED=1
