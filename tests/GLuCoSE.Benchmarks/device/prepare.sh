#!/usr/bin/env bash
# Packs what run.sh needs on a machine without dotnet into one folder (default .dev, which .git/info/exclude
# should ignore): the benchmark published self-contained for linux-x64 (trimmed, xz-compressed: about 24 MB),
# make-bench-model and mluke-ref-ids with the full-size graphs they read. Run from the repository root, with
# ../shared beside it:  bash tests/GLuCoSE.Benchmarks/device/prepare.sh [.dev]
set -euo pipefail
dest=${1:-.dev}
rm -rf "$dest/bench" "$dest/shared" && mkdir -p "$dest/shared/tools" "$dest/shared/fixtures"
# Trimming: the library is trim-clean; BenchmarkDotNet and its dependencies are not (their warnings stay warnings).
dotnet publish tests/GLuCoSE.Benchmarks -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -p:TrimMode=partial \
  -p:TreatWarningsAsErrors=false -p:SuppressTrimAnalysisWarnings=true -p:InvariantGlobalization=true -p:DebugType=none \
  -o "$dest/bench" >/dev/null
tar -cJf "$dest/bench.tar.xz" -C "$dest/bench" . && rm -rf "$dest/bench"
cp ../shared/tools/make-bench-model ../shared/tools/mluke-ref-ids "$dest/shared/tools/"
cp -r ../shared/fixtures/luke-base-random "$dest/shared/fixtures/"
du -sh "$dest"
