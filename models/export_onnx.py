#!/usr/bin/env python3
"""Export GLuCoSE-base-ja (or any LUKE/MLuke sentence-transformers model) to ONNX for GLuCoSE for .NET.

Writes a model folder that GlucoseEmbedder.Create(folder) loads:

    OUTPUT/model.onnx                 opset 17; inputs input_ids, attention_mask (int64 [batch, sequence]);
                                      output last_hidden_state (float [batch, sequence, hidden]); batch and
                                      sequence are dynamic
    OUTPUT/model_int8.onnx            with --int8: onnxruntime's quantize_dynamic (QInt8 weights)
    OUTPUT/sentencepiece.bpe.model, config.json, sentence_bert_config.json, tokenizer_config.json,
    special_tokens_map.json, added_tokens.json, entity_vocab.json, modules.json, 1_Pooling/config.json
                                      the repository's files, beside the graph

Before it reports success it checks the export: the ONNX graph + mean pooling must give the embeddings of
sentence-transformers' encode() within 1e-4 per component (--tolerance).

Requirements (Python 3.9+):

    pip install torch "transformers>=4.28,<5" "sentence-transformers>=2.2" sentencepiece onnx onnxruntime huggingface_hub

transformers is pinned below 5 because transformers 5.x's MLukeTokenizer gives wrong token ids for this model
(it emits raw SentencePiece ids without the +1 offset of the fairseq layout and skips SentencePiece's
normalization), so sentence-transformers on 5.x would check the export against wrong embeddings. The export
itself only needs LukeModel; --random-weights uses no tokenizer and therefore also runs on transformers 5.x.

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
REPOSITORY_FILES = [
    "sentencepiece.bpe.model",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "entity_vocab.json",
    "config.json",
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
]
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
# The model card's sentences (expected cosines with the real model: 0.7545, 0.1418, 0.1126) and a few more.
CHECK_SENTENCES = [
    "PKSHA Technologyは機械学習/深層学習技術に関わるアルゴリズムソリューションを展開している。",
    "この深層学習モデルはPKSHA Technologyによって学習され、公開された。",
    "広目天は、仏教における四天王の一尊であり、サンスクリット語の「種々の眼をした者」を名前の由来とする。",
    "今日は晴れです。",
    "ｶﾀｶﾅと全角ＡＢＣ、絵文字😀も混ぜた文。",
    "短い",
]


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
    parser.add_argument("--int8", action="store_true", help="also write model_int8.onnx with onnxruntime's quantize_dynamic")
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


PIP_INSTALL = 'pip install torch "transformers>=4.28,<5" "sentence-transformers>=2.2" sentencepiece onnx onnxruntime huggingface_hub'


def check_requirements(random_weights):
    """Fails with the install command when a package is missing; returns the transformers version."""
    needed = ["torch", "transformers", "onnx", "onnxruntime", "numpy"] + ([] if random_weights else ["sentence_transformers", "huggingface_hub", "sentencepiece"])
    missing = []
    for name in needed:
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        fail(f"missing Python packages: {', '.join(missing)}. Run: {PIP_INSTALL}")
    import transformers

    major = int(transformers.__version__.split(".")[0])
    if major >= 5 and not random_weights:
        fail(f"transformers {transformers.__version__} is installed; this export needs transformers below 5, because "
             "transformers 5.x's MLukeTokenizer gives wrong token ids for GLuCoSE (raw SentencePiece ids, no "
             "normalization), which would make the check against sentence-transformers compare wrong embeddings. "
             "Run: pip install \"transformers>=4.28,<5\"  (--random-weights needs no tokenizer and runs on 5.x).")
    return transformers.__version__


def fetch_repository_files(model, revision, output):
    """Copies the tokenizer and config files next to the graph (from the hub, or from a local folder)."""
    for name in REPOSITORY_FILES:
        destination = os.path.join(output, *name.split("/"))
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        if os.path.isdir(model):
            source = os.path.join(model, *name.split("/"))
        else:
            from huggingface_hub import hf_hub_download

            source = hf_hub_download(model, name, revision=revision)
        if not os.path.exists(source):
            fail(f"'{name}' not found in {model}@{revision}; a GLuCoSE model folder needs it (see models/README.md)")
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


def check_against_sentence_transformers(model, revision, path, tolerance):
    """Returns the largest difference between the graph's embeddings and sentence-transformers' on CHECK_SENTENCES."""
    import numpy as np
    from sentence_transformers import SentenceTransformer

    reference_model = SentenceTransformer(model, revision=revision, device="cpu") if not os.path.isdir(model) else SentenceTransformer(model, device="cpu")
    reference = reference_model.encode(CHECK_SENTENCES, batch_size=len(CHECK_SENTENCES), convert_to_numpy=True)
    tokens = reference_model.tokenizer(CHECK_SENTENCES, padding=True, truncation=True, max_length=reference_model.max_seq_length, return_tensors="np")
    actual = onnx_embeddings(path, tokens["input_ids"], tokens["attention_mask"])
    difference = float(np.abs(actual - reference).max())
    if difference > tolerance:
        fail(f"the ONNX graph differs from sentence-transformers by {difference:.3g} (allowed {tolerance:g}); the export is wrong")
    return difference, actual, tokens


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


def main(argv):
    args = parse_args(argv)
    version = check_requirements(args.random_weights)
    import torch
    from transformers import LukeConfig, LukeModel

    os.makedirs(args.output, exist_ok=True)
    path = os.path.join(args.output, "model.onnx")
    int8_path = os.path.join(args.output, "model_int8.onnx")
    print(f"transformers {version}, torch {torch.__version__}; writing {args.output}")

    if args.random_weights:
        torch.manual_seed(args.seed)
        config = LukeConfig(**GLUCOSE_CONFIG)
        model = LukeModel(config).eval()
        with open(os.path.join(args.output, "config.json"), "w", encoding="utf-8") as f:
            json.dump(dict(GLUCOSE_CONFIG, architectures=["LukeModel"], model_type="luke"), f, indent=2)
    else:
        fetch_repository_files(args.model, args.revision, args.output)
        model = LukeModel.from_pretrained(args.model, revision=args.revision).eval() if not os.path.isdir(args.model) else LukeModel.from_pretrained(args.model).eval()

    export(model, path, args.opset)
    print(f"exported {path} (opset {args.opset}, {os.path.getsize(path) / 1e6:.1f} MB)")

    if args.random_weights:
        difference, fp32, input_ids, attention_mask = check_random(model, path, args.tolerance, args.seed)
        print(f"check: ONNX vs PyTorch + mean pooling on {len(input_ids)} random padded rows: max |difference| {difference:.3g} (allowed {args.tolerance:g})")
    else:
        difference, fp32, tokens = check_against_sentence_transformers(args.model, args.revision, path, args.tolerance)
        input_ids, attention_mask = tokens["input_ids"], tokens["attention_mask"]
        print(f"check: ONNX vs sentence-transformers on {len(CHECK_SENTENCES)} sentences: max |difference| {difference:.3g} (allowed {args.tolerance:g})")
        print("cosines of the model card's sentences: "
              f"{cosine(fp32[0], fp32[1]):.4f} {cosine(fp32[0], fp32[2]):.4f} {cosine(fp32[1], fp32[2]):.4f}"
              + (" (expected 0.7545 0.1418 0.1126)" if args.model == DEFAULT_MODEL else ""))

    if args.int8:
        quantize(path, int8_path)
        int8 = onnx_embeddings(int8_path, input_ids, attention_mask)
        agreement = min(cosine(a, b) for a, b in zip(fp32, int8))
        print(f"exported {int8_path} ({os.path.getsize(int8_path) / 1e6:.1f} MB); lowest cosine between its embeddings and fp32's: {agreement:.4f}")

    print(f"OK: {args.output} is a GLuCoSE model folder"
          + (" (no tokenizer: --random-weights)" if args.random_weights else f"; load it with GlucoseEmbedder.Create(\"{args.output}\")"))


if __name__ == "__main__":
    main(sys.argv[1:])
