#!/usr/bin/env python3
"""Python yardsticks for the C# throughput benchmark, on the same graph and corpus: onnxruntime (Python) and
sentence-transformers (PyTorch), CPU, end to end (tokenize, pad, run, mean pooling, L2 normalization).

  - onnxruntime: model.onnx and model_int8.onnx in default sessions, token ids by the transformers 4.x MLuke
    rules (shared/tools/mluke-ref-ids, the library's reference), length-sorted batches of --batch-size.
  - sentence-transformers: the same weights copied from the ONNX graph into transformers' LukeModel (saved as a
    sentence-transformers folder: LukeModel + mean pooling), encode(batch_size=--batch-size), which sorts by length
    itself and uses transformers' own tokenizer. Its embeddings are checked against onnxruntime's on our ids, so the
    copy of the weights is proven, not assumed.

usage: python_baselines.py MODEL_DIR CORPUS.json MLUKE_REF_IDS [--batch-size 32] [--rounds 2] [--json OUT.json]
                          [--no-sentence-transformers]
The onnxruntime lines also split the last pass into tokenizing, session.run and the rest.
Needs numpy, onnx, onnxruntime, torch, transformers, sentence-transformers, sentencepiece.
"""
import argparse, importlib.machinery, importlib.util, json, os, shutil, sys, tempfile, time, traceback

import numpy as np


def log(*a):
    print(*a, flush=True)


def load_ref(path):
    loader = importlib.machinery.SourceFileLoader("mluke_ref_ids", path)
    spec = importlib.util.spec_from_loader("mluke_ref_ids", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module.MLukeRef


def batches(ids, size):
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for start in range(0, len(order), size):
        yield order[start:start + size]


def pad(rows):
    width = max(len(r) for r in rows)
    input_ids = np.ones((len(rows), width), dtype=np.int64)  # <pad> = 1
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        input_ids[i, :len(r)] = r
        mask[i, :len(r)] = 1
    return input_ids, mask


def mean_pool(states, mask):
    m = mask[:, :, None].astype(np.float32)
    pooled = (states * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def ort_encode(session, ref, texts, batch_size, parts=None):
    """Tokenize, run and pool the texts; parts (a dict) gets the seconds spent tokenizing, in session.run, and in
    the rest (sorting, padding, pooling, normalizing)."""
    start = time.perf_counter()
    ids = [ref.ids(t, 512) for t in texts]
    tokenized = time.perf_counter()
    run = 0.0
    out = np.empty((len(texts), 768), dtype=np.float32)
    for idx in batches(ids, batch_size):
        input_ids, mask = pad([ids[i] for i in idx])
        t = time.perf_counter()
        states = session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
        run += time.perf_counter() - t
        out[idx] = mean_pool(states, mask)
    if parts is not None:
        end = time.perf_counter()
        parts.update(tokenize=tokenized - start, run=run, other=end - tokenized - run)
    return out


def timed(fn, rounds):
    """Runs fn rounds times; returns its last result and the seconds of each round."""
    result, times = None, []
    for _ in range(rounds):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return result, times


def onnx_to_state_dict(graph_path):
    """The LukeModel state dict held by a torch.onnx export: named initializers ('m.<param>'), names that Identity
    nodes alias (the exporter shares equal tensors), and MatMul weights stored transposed under 'onnx::MatMul_N',
    named here by their node ('/m/encoder/layer.0/attention/self/key/MatMul' -> encoder.layer.0.attention.self.key.weight)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(graph_path)  # reads the external data file beside it
    arrays = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Identity" and node.input[0] in arrays:
            arrays[node.output[0]] = arrays[node.input[0]]
    state = {name[2:]: a for name, a in arrays.items() if name.startswith("m.")}
    for node in model.graph.node:
        if node.op_type == "MatMul" and node.input[1] in arrays and not node.input[1].startswith("m."):
            path = node.name[len("/m/"):-len("/MatMul")].replace("/", ".")
            state[path + ".weight"] = arrays[node.input[1]].T.copy()
    return state


def build_sentence_transformer(model_dir, work):
    import torch
    from transformers import LukeConfig, LukeModel

    config = LukeConfig.from_pretrained(model_dir)
    model = LukeModel(config).eval()
    state = {k: torch.from_numpy(np.array(v, copy=True)) for k, v in onnx_to_state_dict(os.path.join(model_dir, "model.onnx")).items()}
    result = model.load_state_dict(state, strict=False)
    used = [k for k in result.missing_keys if not (k.startswith("entity_embeddings") or k.startswith("pooler")
                                                   or any(q in k for q in ("w2e_query", "e2w_query", "e2e_query")))]
    log(f"# weights copied from the ONNX graph: {len(state)} tensors; unexpected {result.unexpected_keys}; "
        f"missing (entity, pooler and entity-attention weights are unused without entities): {len(result.missing_keys)}, of them used: {used}")
    folder = os.path.join(work, "st-model")
    model.save_pretrained(folder)
    for f in os.listdir(model_dir):
        p = os.path.join(model_dir, f)
        if os.path.isfile(p) and not f.startswith("model") and f != "config.json":
            shutil.copy(p, folder)
        elif os.path.isdir(p):
            shutil.copytree(p, os.path.join(folder, f), dirs_exist_ok=True)
    return model, folder


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("corpus")
    ap.add_argument("mluke_ref_ids")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json")
    ap.add_argument("--no-sentence-transformers", action="store_true")
    a = ap.parse_args()
    texts = json.load(open(a.corpus, encoding="utf-8"))
    ref = load_ref(a.mluke_ref_ids)(os.path.join(a.model_dir, "sentencepiece.bpe.model"))
    tokens = sum(len(ref.ids(t, 512)) for t in texts)
    log(f"# corpus: {len(texts)} sentences, {tokens} tokens by the MLuke 4.x rules; os.cpu_count()={os.cpu_count()}")
    results = {"sentences": len(texts), "tokens": tokens}

    ort_fp32 = None
    try:
        import onnxruntime as ort
        log(f"# onnxruntime {ort.__version__}")
        for variant, file in (("fp32", "model.onnx"), ("int8", "model_int8.onnx")):
            session = ort.InferenceSession(os.path.join(a.model_dir, file), providers=["CPUExecutionProvider"])
            ort_encode(session, ref, texts[:64], a.batch_size)  # warm-up
            parts = {}
            emb, times = timed(lambda: ort_encode(session, ref, texts, a.batch_size, parts), a.rounds)
            rate = len(texts) / min(times)
            log(f"python onnxruntime {variant} bs={a.batch_size}: {rate:.1f} sent/s (best of {a.rounds}: "
                + ", ".join(f"{t:.2f}" for t in times) + " s per pass); last pass: "
                + ", ".join(f"{k} {v:.3f} s" for k, v in parts.items())
                + f"; session.run alone {len(texts) / parts['run']:.1f} sent/s")
            results[f"onnxruntime_{variant}"] = rate
            results[f"onnxruntime_{variant}_parts"] = parts
            if variant == "fp32":
                ort_fp32 = emb
    except Exception:
        traceback.print_exc()

    if a.no_sentence_transformers:
        if a.json:
            with open(a.json, "w") as f:
                json.dump(results, f, indent=1)
        return

    try:
        import torch
        import sentence_transformers
        from sentence_transformers import SentenceTransformer
        log(f"# torch {torch.__version__} threads={torch.get_num_threads()}; sentence-transformers {sentence_transformers.__version__}")
        work = tempfile.mkdtemp()
        luke, folder = build_sentence_transformer(a.model_dir, work)
        if ort_fp32 is not None:
            # Same weights? Our ids through the PyTorch model vs onnxruntime's embeddings.
            sample = list(range(0, len(texts), max(1, len(texts) // 64)))[:64]
            with torch.inference_mode():
                ids = [ref.ids(texts[i], 512) for i in sample]
                input_ids, mask = pad(ids)
                states = luke(input_ids=torch.from_numpy(input_ids), attention_mask=torch.from_numpy(mask)).last_hidden_state.numpy()
            diff = np.abs(mean_pool(states, mask) - ort_fp32[sample]).max()
            log(f"# PyTorch LukeModel vs onnxruntime fp32, {len(sample)} sentences, our ids: max |difference| per component {diff:.2e}")
            results["torch_vs_ort_max_abs_diff"] = float(diff)
        model = SentenceTransformer(folder, device="cpu")
        st_ids = model.tokenize(texts[:200])["input_ids"]
        ours = [ref.ids(t, 512) for t in texts[:200]]
        same = sum(1 for i, row in enumerate(st_ids) if [int(x) for x in row if int(x) != 1] == ours[i])
        log(f"# sentence-transformers' tokenizer (transformers' MLukeTokenizer): {same}/200 sentences get the MLuke 4.x ids")
        model.encode(texts[:64], batch_size=a.batch_size)
        _, times = timed(lambda: model.encode(texts, batch_size=a.batch_size, normalize_embeddings=True), a.rounds)
        rate = len(texts) / min(times)
        log(f"sentence-transformers fp32 bs={a.batch_size}: {rate:.1f} sent/s (best of {a.rounds}: "
            + ", ".join(f"{t:.2f}" for t in times) + " s per pass)")
        results["sentence_transformers_fp32"] = rate
    except Exception:
        traceback.print_exc()

    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
