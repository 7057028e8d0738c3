#!/usr/bin/env python3
"""Export GLuCoSE-base-ja (or any LUKE/MLuke sentence-transformers model) to ONNX for GLuCoSE for .NET.

Writes a model folder that GlucoseEmbedder.Create(folder) loads:

    OUTPUT/model.onnx                 opset 17; inputs input_ids, attention_mask (int64 [batch, sequence]);
                                      output last_hidden_state (float [batch, sequence, hidden]); batch and
                                      sequence are dynamic
    OUTPUT/model_int8.onnx            with --int8: onnxruntime's quantize_dynamic (QInt8 weights)
    OUTPUT/parity.json                token ids and fp32 embeddings of a few sentences from sentence-transformers,
                                      for `glucose parity --model OUTPUT` (the C# pipeline against Python)
    OUTPUT/sentencepiece.bpe.model, config.json (both required), sentence_bert_config.json, tokenizer_config.json,
    special_tokens_map.json, added_tokens.json, entity_vocab.json, modules.json, 1_Pooling/config.json
                                      the repository's files, beside the graph (optional ones may be missing)

The gate. The graphs are written as model.onnx.partial (model_int8.onnx.partial) and renamed into place only
after they pass it, so a failed gate leaves no graph that the library would load:
  1. the token ids of sentence-transformers' own tokenize() equal the MLuke 4.x rules applied to the
     SentencePiece model (<s>=0 <pad>=1 </s>=2 <unk>=3, SentencePiece id i -> i + 1): catches transformers 5.x;
  2. the graph fed those ids + mean pooling gives sentence-transformers' encode() within 1e-4 per component
     (--tolerance);
  3. for pkshatech/GLuCoSE-base-ja only: the cosines of the model card's three sentences are its published
     0.7545, 0.1418 and 0.1126 within 1e-3 (another repository, a local folder or --random-weights: skipped
     with a note);
  4. with --int8: every gate sentence's int8 embedding has a cosine of at least 0.99 with its fp32 embedding;
     otherwise model_int8.onnx is not written and the script exits with 1 (model.onnx, having passed, stays).
--random-weights checks the graph against PyTorch + mean pooling on random ids instead (1 and 3 do not apply)
and writes no parity.json (it has no tokenizer).

Requirements: Python 3.10-3.12 and the pinned package set of models/requirements-export.txt:

    pip install -r models/requirements-export.txt

    torch==2.4.1 transformers==4.44.2 sentence-transformers==3.1.1 onnx==1.16.2 onnxruntime==1.19.2
    huggingface-hub==0.24.7 sentencepiece==0.2.0 numpy==1.26.4

These were released together (August-September 2024) and declare each other compatible; they are the pins, but
the export has NOT been run against the real weights with them (the machines this project is built on cannot
download the weights). The script refuses what is known not to work: transformers 5.x (its MLukeTokenizer gives
raw SentencePiece ids without the +1 offset and skips SentencePiece's normalization, so the check would compare
wrong embeddings), transformers below 4.28, and sentence-transformers below 2.3 (no `revision` argument). Other
versions get a note. torch 2.9+ deprecates the TorchScript exporter used here, but still ships it.
--random-weights uses no tokenizer and no sentence-transformers, and also runs on transformers 5.x.

Examples:

    python models/export_onnx.py                                   # GLuCoSE-base-ja -> models/GLuCoSE-base-ja
    python models/export_onnx.py --int8 --output /data/glucose      # also model_int8.onnx
    python models/export_onnx.py --model someone/other-luke-model --revision main --output models/other
    python models/export_onnx.py --random-weights --output /tmp/random-luke   # offline: no download at all

--random-weights builds a LukeModel with random weights from GLuCoSE-base-ja's configuration (12 layers,
hidden 768, 12 heads, FFN 3072, vocabulary 32772, 514 positions), exports it the same way and checks the graph
against PyTorch with sentence-transformers' mean pooling on random token ids. It downloads nothing, so it
tests the export path on a machine without network access; its folder has no tokenizer file.
"""
import argparse
import inspect
import json
import os
import shutil
import sys

DEFAULT_MODEL = "pkshatech/GLuCoSE-base-ja"
# The commit GLuCoSE for .NET pins (GlucoseModelSource.DefaultRevision).
DEFAULT_REVISION = "b3cc38b45d7086f22b3f3cff6f3599a1b51c2e90"
# The repository's files copied beside the graph: name -> required. The library needs only the SentencePiece
# model (and reads config.json and sentence_bert_config.json when present); the others are kept for reference.
REPOSITORY_FILES = {
    "sentencepiece.bpe.model": True,
    "config.json": True,
    "sentence_bert_config.json": False,
    "tokenizer_config.json": False,
    "special_tokens_map.json": False,
    "added_tokens.json": False,
    "entity_vocab.json": False,
    "modules.json": False,
    "1_Pooling/config.json": False,
}
# The known-good package set (models/requirements-export.txt says the same).
PINS = {
    "torch": "2.4.1",
    "transformers": "4.44.2",
    "sentence-transformers": "3.1.1",
    "onnx": "1.16.2",
    "onnxruntime": "1.19.2",
    "huggingface-hub": "0.24.7",
    "sentencepiece": "0.2.0",
    "numpy": "1.26.4",
}
PIP_INSTALL = "pip install -r models/requirements-export.txt  (or: pip install " + " ".join(f"{n}=={v}" for n, v in PINS.items()) + ")"
# GLuCoSE-base-ja's config.json (LukeModel), for --random-weights.
GLUCOSE_CONFIG = {
    "vocab_size": 32772,
    "entity_vocab_size": 4,
    "entity_emb_size": 256,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "hidden_act": "gelu",
    "max_position_embeddings": 514,
    "type_vocab_size": 1,
    "layer_norm_eps": 1e-5,
    "pad_token_id": 1,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "use_entity_aware_attention": True,
}
# The model card's sentences and the cosines it publishes for them: (0, 1), (0, 2), (1, 2).
CARD_SENTENCES = [
    "PKSHA Technologyは機械学習/深層学習技術に関わるアルゴリズムソリューションを展開している。",
    "この深層学習モデルはPKSHA Technologyによって学習され、公開された。",
    "広目天は、仏教における四天王の一尊であり、サンスクリット語の「種々の眼をした者」を名前の由来とする。",
]
CARD_COSINES = {(0, 1): 0.7545, (0, 2): 0.1418, (1, 2): 0.1126}
CARD_TOLERANCE = 1e-3
INT8_MIN_COSINE = 0.99
# The gate's sentences, all written to parity.json: the card's, a short one, unknown characters, width and
# normalization variants, and one of well over 512 tokens (truncated to max_seq_length). None has leading or
# trailing whitespace (sentence-transformers strips it) or a literal special-token string.
CHECK_SENTENCES = CARD_SENTENCES + [
    "あ",
    "今日は晴れです。",
    "𠮷野家の𩸽",
    "ｶﾀｶﾅと全角ＡＢＣ、絵文字😀も混ぜた文。",
    "".join(CARD_SENTENCES) * 8,
]
# The MLuke 4.x id layout (see the class comment of GlucoseTokenizer and shared/fixtures/README.md).
BOS_ID, PAD_ID, EOS_ID, UNK_ID = 0, 1, 2, 3


def fail(message):
    print(f"export_onnx: {message}", file=sys.stderr)
    sys.exit(1)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Export a LUKE/MLuke sentence-transformers model (default GLuCoSE-base-ja) to ONNX for GLuCoSE for .NET.")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"hub repository or local folder (default {DEFAULT_MODEL})")
    parser.add_argument("--revision", default=None,
                        help=f"hub revision (default {DEFAULT_REVISION} for {DEFAULT_MODEL}, else main)")
    parser.add_argument("--output", default=None, help="output folder (default models/<model name> next to this script)")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset (default 17)")
    parser.add_argument("--int8", action="store_true",
                        help=f"also write model_int8.onnx with onnxruntime's quantize_dynamic (only if every gate sentence keeps a cosine >= {INT8_MIN_COSINE} with fp32)")
    parser.add_argument("--random-weights", action="store_true",
                        help="export a random LukeModel with GLuCoSE's configuration; downloads nothing (for testing the export)")
    parser.add_argument("--seed", type=int, default=0, help="random seed for --random-weights (default 0)")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest allowed difference per component (default 1e-4)")
    args = parser.parse_args(argv)
    if args.revision is None:
        args.revision = DEFAULT_REVISION if args.model == DEFAULT_MODEL else "main"
    if args.output is None:
        name = "random-luke-base" if args.random_weights else os.path.basename(args.model.rstrip("/"))
        args.output = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    return args


def version_tuple(text):
    """'4.44.2' -> (4, 44, 2); '2.4.1+cpu' -> (2, 4, 1); stops at the first part that is not a number."""
    parts = []
    for part in text.split("+")[0].split("."):
        digits = ""
        for c in part:
            if not c.isdigit():
                break
            digits += c
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def installed_versions():
    """The installed version of each pinned package (None when it is not installed)."""
    from importlib import metadata

    versions = {}
    for name in PINS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def check_requirements(random_weights):
    """Fails with the install command when a package is missing or known not to work; returns the versions."""
    needed = ["torch", "transformers", "onnx", "onnxruntime", "numpy"]
    if not random_weights:
        needed += ["sentence-transformers", "huggingface-hub", "sentencepiece"]
    versions = installed_versions()
    missing = [name for name in needed if versions[name] is None]
    if missing:
        fail(f"missing Python packages: {', '.join(missing)}. Run: {PIP_INSTALL}")

    transformers = version_tuple(versions["transformers"])
    if not random_weights:
        if transformers >= (5,):
            fail(f"transformers {versions['transformers']} is installed; this export needs transformers below 5, because "
                 "transformers 5.x's MLukeTokenizer gives wrong token ids for GLuCoSE (raw SentencePiece ids, no "
                 "normalization), which would make the check against sentence-transformers compare wrong embeddings. "
                 f"Run: {PIP_INSTALL}  (--random-weights needs no tokenizer and runs on 5.x).")
        if transformers < (4, 28):
            fail(f"transformers {versions['transformers']} is installed; GLuCoSE-base-ja needs 4.28 or later. Run: {PIP_INSTALL}")
        if version_tuple(versions["sentence-transformers"]) < (2, 3):
            fail(f"sentence-transformers {versions['sentence-transformers']} is installed; 2.3 or later is needed "
                 f"(earlier versions have no `revision` argument). Run: {PIP_INSTALL}")
    off_pin = [f"{name} {versions[name]} (pinned {pin})" for name, pin in PINS.items()
               if name in needed and versions[name] is not None and versions[name].split("+")[0] != pin]
    if off_pin:
        print(f"note: not the pinned, known-good set: {', '.join(off_pin)}; the gate below still decides")
    if version_tuple(versions["torch"]) >= (2, 9):
        print(f"note: torch {versions['torch']} deprecates the TorchScript ONNX exporter this script uses; torch {PINS['torch']} is the pin")
    return versions


def entry_not_found_errors():
    """huggingface_hub's 'no such file in the repository' error, and its offline 'not in the cache' subclass."""
    try:
        from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError
    except ImportError:  # huggingface_hub before 0.23 keeps them in utils
        from huggingface_hub.utils import EntryNotFoundError, LocalEntryNotFoundError
    return EntryNotFoundError, LocalEntryNotFoundError


def fetch_repository_files(model, revision, output):
    """Copies the tokenizer and config files next to the graph (from the hub, or from a local folder).

    A missing optional file is skipped with a note; a missing required one, or a file the hub could not be asked
    for (offline and not cached), fails the export.
    """
    where = model if os.path.isdir(model) else f"{model}@{revision}"
    for name, required in REPOSITORY_FILES.items():
        destination = os.path.join(output, *name.split("/"))
        if os.path.isdir(model):
            source = os.path.join(model, *name.split("/"))
            if not os.path.exists(source):
                source = None
        else:
            from huggingface_hub import hf_hub_download

            entry_not_found, local_entry_not_found = entry_not_found_errors()
            try:
                source = hf_hub_download(model, name, revision=revision)
            except local_entry_not_found as error:
                fail(f"'{name}' of {where} could not be downloaded and is not in the huggingface_hub cache: {error}")
            except entry_not_found:
                source = None
        if source is None:
            if required:
                fail(f"'{name}' not found in {where}; a GLuCoSE model folder needs it (see docs/models.md)")
            print(f"note: {where} has no '{name}' (optional); skipped")
            continue
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copyfile(source, destination)


def wrap_last_hidden_state(model):
    """Wraps LukeModel so that the graph has exactly the inputs and the output GLuCoSE for .NET expects."""
    import torch

    class Encoder(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    return Encoder(model).eval()


def export(model, path, opset):
    import torch

    encoder = wrap_last_hidden_state(model)
    input_ids = torch.tensor([[0, 5, 6, 7, 2], [0, 8, 2, 1, 1]], dtype=torch.long)
    attention_mask = (input_ids != 1).long()
    kwargs = dict(
        input_names=["input_ids", "attention_mask"],
        output_names=["last_hidden_state"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "sequence"},
            "last_hidden_state": {0: "batch", 1: "sequence"},
        },
        opset_version=opset,
        do_constant_folding=True,
    )
    # The TorchScript exporter honours dynamic_axes and opset 17 as given; newer torch defaults to dynamo.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(encoder, (input_ids, attention_mask), path, **kwargs)

    import onnx

    graph = onnx.load(path)
    onnx.checker.check_model(graph)
    inputs = [i.name for i in graph.graph.input]
    outputs = [o.name for o in graph.graph.output]
    if inputs != ["input_ids", "attention_mask"] or outputs[0] != "last_hidden_state":
        fail(f"the exported graph has inputs {inputs} and outputs {outputs}; expected input_ids, attention_mask -> last_hidden_state")


def quantize(path, int8_path):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(path, int8_path, weight_type=QuantType.QInt8)


def onnx_embeddings(path, input_ids, attention_mask):
    """Runs the graph and mean-pools like sentence-transformers: sum(states * mask) / max(count, 1e-9)."""
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    states = session.run(["last_hidden_state"], {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64)})[0]
    mask = attention_mask[..., None].astype(np.float32)
    return (states * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)


def cosine(a, b):
    import numpy as np

    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def check_random(model, path, tolerance, seed):
    """Returns the largest difference between the graph and PyTorch + mean pooling on random, padded token ids."""
    import numpy as np
    import torch

    rng = np.random.default_rng(seed)
    lengths = [5, 17, 64, 130, 3, 512]
    input_ids = np.full((len(lengths), max(lengths)), 1, dtype=np.int64)
    attention_mask = np.zeros_like(input_ids)
    for row, length in enumerate(lengths):
        input_ids[row, 0] = 0
        input_ids[row, 1:length - 1] = rng.integers(4, 32768, size=length - 2)
        input_ids[row, length - 1] = 2
        attention_mask[row, :length] = 1
    with torch.no_grad():
        states = model(input_ids=torch.from_numpy(input_ids), attention_mask=torch.from_numpy(attention_mask)).last_hidden_state
        mask = torch.from_numpy(attention_mask)[..., None].float()
        reference = ((states * mask).sum(1) / torch.clamp(mask.sum(1), min=1e-9)).numpy()
    actual = onnx_embeddings(path, input_ids, attention_mask)
    difference = float(np.abs(actual - reference).max())
    if difference > tolerance:
        fail(f"the ONNX graph differs from PyTorch by {difference:.3g} (allowed {tolerance:g}); the export is wrong")
    return difference, actual, input_ids, attention_mask


def mluke_ids(sentencepiece_model, text, max_length):
    """The ids transformers 4.x's MLukeTokenizer gives a text without literal special-token strings, truncated
    the way sentence-transformers truncates: <s>, the first max_length - 2 ids, </s>."""
    body = [piece + 1 if piece != 0 else UNK_ID for piece in sentencepiece_model.encode(text.strip(), out_type=int)]
    return [BOS_ID] + body[:max_length - 2] + [EOS_ID]


def gate_against_sentence_transformers(model, revision, output, path, tolerance):
    """Gate steps 1 and 2 (see the module docstring). Returns the graph's embeddings, the padded ids and mask, and
    parity.json's rows (ids and fp32 embedding of each sentence, from sentence-transformers)."""
    import numpy as np
    import sentencepiece
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(model, device="cpu") if os.path.isdir(model) else SentenceTransformer(model, revision=revision, device="cpu")
    max_length = st.max_seq_length

    # 1. The ids sentence-transformers feeds its own model, one sentence at a time (unpadded) for parity.json.
    spm = sentencepiece.SentencePieceProcessor(model_file=os.path.join(output, "sentencepiece.bpe.model"))
    rows = []
    for text in CHECK_SENTENCES:
        ids = [int(i) for i in st.tokenize([text])["input_ids"][0].tolist()]
        expected = mluke_ids(spm, text, max_length)
        if ids != expected:
            at = next((k for k, (a, b) in enumerate(zip(ids, expected)) if a != b), min(len(ids), len(expected)))
            fail(f"sentence-transformers' tokenizer gives ids that differ from the MLuke 4.x rules at position {at} "
                 f"({ids[at:at + 5]} vs {expected[at:at + 5]}; {len(ids)} vs {len(expected)} ids) for {text[:40]!r}. "
                 f"Is transformers 5.x (or a non-MLuke tokenizer) loaded? Run: {PIP_INSTALL}")
        rows.append({"text": text, "ids": ids})

    # 2. The graph on the same padded batch sentence-transformers' encode() builds, against encode() itself.
    reference = st.encode(CHECK_SENTENCES, batch_size=len(CHECK_SENTENCES), convert_to_numpy=True, normalize_embeddings=False)
    features = st.tokenize(CHECK_SENTENCES)
    input_ids = features["input_ids"].numpy()
    attention_mask = features["attention_mask"].numpy()
    actual = onnx_embeddings(path, input_ids, attention_mask)
    difference = float(np.abs(actual - reference).max())
    print(f"gate: ONNX vs sentence-transformers on {len(CHECK_SENTENCES)} sentences: max |difference| {difference:.3g} (allowed {tolerance:g})")
    if not difference <= tolerance:
        fail(f"the ONNX graph differs from sentence-transformers by {difference:.3g} (allowed {tolerance:g}); the export is wrong")
    for row, embedding in zip(rows, reference):
        row["embedding"] = [float(x) for x in embedding]
    return actual, input_ids, attention_mask, rows, max_length


def gate_card_cosines(model, embeddings):
    """Gate step 3: the model card's published cosines, for pkshatech/GLuCoSE-base-ja only."""
    found = {pair: cosine(embeddings[pair[0]], embeddings[pair[1]]) for pair in CARD_COSINES}
    shown = " ".join(f"{found[pair]:.4f}" for pair in CARD_COSINES)
    if model != DEFAULT_MODEL:
        print(f"gate: cosines of the model card's sentences {shown}; not checked ({model} is not {DEFAULT_MODEL})")
        return
    wrong = [pair for pair in CARD_COSINES if not abs(found[pair] - CARD_COSINES[pair]) <= CARD_TOLERANCE]
    expected = " ".join(f"{CARD_COSINES[pair]:.4f}" for pair in CARD_COSINES)
    print(f"gate: cosines of the model card's sentences {shown} (the card: {expected}, allowed difference {CARD_TOLERANCE:g})")
    if wrong:
        fail(f"the model card's cosines are {expected}, the export gives {shown}: the weights or the tokenizer are not the card's")


def gate_int8(int8_path, fp32, input_ids, attention_mask):
    """Gate step 4: returns the lowest cosine between a sentence's int8 and fp32 embeddings."""
    int8 = onnx_embeddings(int8_path, input_ids, attention_mask)
    return min(cosine(a, b) for a, b in zip(fp32, int8))


def parity_json(value):
    """parity.json's text: the header fields one per line, then one line per sentence (text, ids, embedding)."""
    lines = ["{"]
    for key, field in value.items():
        if key != "sentences":
            lines.append(f" {json.dumps(key)}: {json.dumps(field, ensure_ascii=False)},")
    rows = ["  " + json.dumps(row, ensure_ascii=False) for row in value["sentences"]]
    lines.append(' "sentences": [')
    lines.append(",\n".join(rows))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_parity(path, value):
    """Writes parity.json under a temporary name and renames it into place."""
    partial = path + ".partial"
    with open(partial, "w", encoding="utf-8") as f:
        f.write(parity_json(value))
    os.replace(partial, path)


def remove(*paths):
    for path in paths:
        if os.path.exists(path):
            os.remove(path)


def main(argv):
    args = parse_args(argv)
    versions = check_requirements(args.random_weights)
    import torch
    from transformers import LukeConfig, LukeModel

    os.makedirs(args.output, exist_ok=True)
    path = os.path.join(args.output, "model.onnx")
    int8_path = os.path.join(args.output, "model_int8.onnx")
    parity_path = os.path.join(args.output, "parity.json")
    partial, int8_partial = path + ".partial", int8_path + ".partial"
    # A graph from an earlier run would sit beside this run's files; a failed gate must leave no loadable graph.
    stale = [p for p in (path, int8_path, parity_path) if os.path.exists(p)]
    if stale:
        print(f"removing the earlier export's {', '.join(os.path.basename(p) for p in stale)}")
        remove(*stale)
    print(f"transformers {versions['transformers']}, torch {versions['torch']}; writing {args.output}")

    if args.random_weights:
        torch.manual_seed(args.seed)
        config = LukeConfig(**GLUCOSE_CONFIG)
        model = LukeModel(config).eval()
        with open(os.path.join(args.output, "config.json"), "w", encoding="utf-8") as f:
            json.dump(dict(GLUCOSE_CONFIG, architectures=["LukeModel"], model_type="luke"), f, indent=2)
    else:
        fetch_repository_files(args.model, args.revision, args.output)
        model = LukeModel.from_pretrained(args.model, revision=args.revision).eval() if not os.path.isdir(args.model) else LukeModel.from_pretrained(args.model).eval()

    try:
        export(model, partial, args.opset)
        print(f"exported {partial} (opset {args.opset}, {os.path.getsize(partial) / 1e6:.1f} MB); checking it before it becomes model.onnx")

        if args.random_weights:
            difference, fp32, input_ids, attention_mask = check_random(model, partial, args.tolerance, args.seed)
            print(f"gate: ONNX vs PyTorch + mean pooling on {len(input_ids)} random padded rows: max |difference| {difference:.3g} (allowed {args.tolerance:g})")
            print("gate: the model card's cosines and the tokenizer are not checked (--random-weights); no parity.json")
            rows = None
        else:
            fp32, input_ids, attention_mask, rows, max_length = gate_against_sentence_transformers(
                args.model, args.revision, args.output, partial, args.tolerance)
            gate_card_cosines(args.model, fp32)

        int8_ok = None
        if args.int8:
            quantize(partial, int8_partial)
            agreement = gate_int8(int8_partial, fp32, input_ids, attention_mask)
            int8_ok = agreement >= INT8_MIN_COSINE
            print(f"gate: int8: lowest cosine between a sentence's int8 and fp32 embeddings {agreement:.4f} (at least {INT8_MIN_COSINE} needed)")

        # The fp32 graph passed: rename it (and parity.json) into place.
        if rows is not None:
            write_parity(parity_path, {
                "format": "glucose-parity/1",
                "model": args.model,
                "revision": None if os.path.isdir(args.model) else args.revision,
                "max_seq_length": max_length,
                "dimensions": len(rows[0]["embedding"]),
                "normalized": False,
                "source": "sentence-transformers tokenize() and encode() (fp32, CPU, mean pooling, not normalized), models/export_onnx.py",
                "versions": dict({"python": sys.version.split()[0]}, **{n: v for n, v in versions.items() if v is not None}),
                "sentences": rows,
            })
        os.replace(partial, path)
        if int8_ok:
            os.replace(int8_partial, int8_path)
            print(f"wrote {int8_path} ({os.path.getsize(int8_path) / 1e6:.1f} MB)")
    finally:
        remove(partial, int8_partial)

    if rows is not None:
        print(f"wrote {parity_path}: compare the C# pipeline with `glucose parity --model {args.output}`")
    if int8_ok is False:
        fail(f"model_int8.onnx was NOT written: an int8 embedding fell below a cosine of {INT8_MIN_COSINE} with fp32 "
             f"(model.onnx passed and is in place)")
    print(f"OK: {args.output} is a GLuCoSE model folder"
          + (" (no tokenizer: --random-weights)" if args.random_weights else f"; load it with GlucoseEmbedder.Create(\"{args.output}\")"))


if __name__ == "__main__":
    main(sys.argv[1:])
