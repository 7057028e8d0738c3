#!/usr/bin/env python3
"""Tests of models/export_onnx.py's own logic, without torch, transformers, sentence-transformers, onnx or onnxruntime.

    python3 -m unittest models/test_export_onnx.py -v       (needs numpy and sentencepiece: Debian python3-numpy,
                                                            python3-sentencepiece)

Only what needs the heavy packages is replaced: the model load, sentence-transformers' tokenize/encode (a fake that
gives ids and embeddings the test chooses), the ONNX export and quantization (they write placeholder files) and the
ONNX Runtime run (it gives back the chosen embeddings). The file handling, the gate decisions, the MLuke id rule
(run on the real SentencePiece library) and parity.json's writer are the script's real code. The real model, PyTorch
and the exported graph's numbers are never exercised here.

With GLUCOSE_CLI_DLL set to the built GLuCoSE.Cli.dll (.ci/run does), a parity.json written by a stubbed run is also
read by the C# `glucose parity` command against models/tiny-random-luke.
"""
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
import unittest
from unittest import mock

import numpy as np
import sentencepiece

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TEST_DATA = os.path.join(ROOT, "tests", "GLuCoSE.Tests", "TestData")
TINY = os.path.join(HERE, "tiny-random-luke")
PARITY_READER = os.path.join(ROOT, "samples", "GLuCoSE.Cli", "IO", "ParityFile.cs")

sys.path.insert(0, HERE)
import export_onnx  # noqa: E402  (its module level needs only the standard library)

SPECIAL_STRINGS = ["<s>", "</s>", "<unk>", "<pad>", "<mask>", "<ent>", "<ent2>"]


def reference_mluke_ids(spm, text, max_length):
    """The fixtures' rule written out independently of the script (for the fake tokenizer)."""
    ids = []
    for piece in spm.encode(text.strip(), out_type=int):
        ids.append(3 if piece == 0 else piece + 1)
    return [0] + ids[: max_length - 2] + [2]


def first_difference(actual, expected):
    """A short description of where two id lists differ (assertEqual's diff of long lists takes minutes)."""
    at = next((k for k, (a, b) in enumerate(zip(actual, expected)) if a != b), min(len(actual), len(expected)))
    return f"at {at}: {actual[at:at + 4]} vs {expected[at:at + 4]} ({len(actual)} vs {len(expected)} ids)"


def card_vectors(cosines, dimensions=16):
    """Three vectors whose pairwise cosines are the given (0, 1), (0, 2), (1, 2) values."""
    gram = np.array([[1.0, cosines[(0, 1)], cosines[(0, 2)]],
                     [cosines[(0, 1)], 1.0, cosines[(1, 2)]],
                     [cosines[(0, 2)], cosines[(1, 2)], 1.0]])
    basis = np.linalg.cholesky(gram)
    vectors = np.zeros((3, dimensions))
    vectors[:, :3] = basis
    return vectors * np.array([[2.0], [0.5], [3.0]])  # not unit length: the gate must use cosines, not dot products


# ---- Fakes for the heavy packages ----

class EntryNotFoundError(Exception):
    pass


class LocalEntryNotFoundError(EntryNotFoundError):  # as in huggingface_hub: a subclass of EntryNotFoundError
    pass


class FakeTensor:
    def __init__(self, array):
        self.array = np.asarray(array)

    def numpy(self):
        return self.array

    def __getitem__(self, index):
        return self.array[index]


class World:
    """What the fakes answer: the hub's files, the tokenizer's ids, encode's embeddings, the graphs' errors."""

    def __init__(self, sentences, spm_path, max_length=512):
        self.spm = sentencepiece.SentencePieceProcessor(model_file=spm_path)
        self.max_length = max_length
        self.sentences = list(sentences)
        self.ids = {t: reference_mluke_ids(self.spm, t, max_length) for t in self.sentences}
        rng = np.random.default_rng(7)
        self.embeddings = {t: rng.normal(size=16) for t in self.sentences}
        self.set_card_cosines(export_onnx.CARD_COSINES)
        self.hub_files = {}          # repository file name -> local path
        self.offline = False         # True: a file not in hub_files raises LocalEntryNotFoundError
        self.downloads = []          # (repo, name, revision)
        self.fp32_error = 0.0        # added to every component the fp32 graph gives
        self.int8_rotation = 0.0     # angle (radians) the int8 graph turns the first sentence's embedding by
        self.seen = []               # (path, files in the output folder) at each graph run
        self.exports = []

    def set_card_cosines(self, cosines):
        for text, vector in zip(export_onnx.CARD_SENTENCES, card_vectors(cosines)):
            if text in self.embeddings:
                self.embeddings[text] = vector

    # sentence_transformers.SentenceTransformer
    def sentence_transformer(self, world):
        class SentenceTransformer:
            def __init__(self, model, revision=None, device=None):
                self.max_seq_length = world.max_length

            def tokenize(self, texts):
                rows = [world.ids[t] for t in texts]
                width = max(len(r) for r in rows)
                ids = np.full((len(rows), width), 1, dtype=np.int64)
                mask = np.zeros_like(ids)
                for i, r in enumerate(rows):
                    ids[i, :len(r)] = r
                    mask[i, :len(r)] = 1
                return {"input_ids": FakeTensor(ids), "attention_mask": FakeTensor(mask)}

            def encode(self, texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=False):
                assert not normalize_embeddings
                return np.stack([world.embeddings[t] for t in texts]).astype(np.float64)

        return SentenceTransformer

    def hf_hub_download(self, repo, name, revision=None):
        self.downloads.append((repo, name, revision))
        if name in self.hub_files:
            return self.hub_files[name]
        if self.offline:
            raise LocalEntryNotFoundError(f"{name} is not cached")
        raise EntryNotFoundError(f"404 {name}")

    # export_onnx.export / quantize / onnx_embeddings
    def export(self, model, path, opset):
        self.exports.append((path, opset))
        with open(path, "wb") as f:
            f.write(b"fp32 graph")

    def quantize(self, path, int8_path):
        with open(int8_path, "wb") as f:
            f.write(b"int8 graph")

    def onnx_embeddings(self, path, input_ids, attention_mask):
        self.seen.append((path, sorted(os.listdir(os.path.dirname(path)))))
        texts = [self.text_of(row) for row in input_ids]
        values = np.stack([self.embeddings[t] for t in texts]).astype(np.float64)
        if path.endswith("model_int8.onnx.partial"):
            c, s = np.cos(self.int8_rotation), np.sin(self.int8_rotation)
            first = values[0].copy()
            values[0, 0], values[0, 1] = c * first[0] - s * first[1], s * first[0] + c * first[1]
            return values
        return values + self.fp32_error

    def text_of(self, row):
        ids = [int(i) for i in row]
        while ids and ids[-1] == 1:
            ids.pop()
        return next(t for t, r in self.ids.items() if r == ids)


def hub_repository(folder, names):
    """Fake hub files taken from the tiny model folder."""
    return {name: os.path.join(folder, *name.split("/")) for name in names}


class ExportTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="export-onnx-test-")
        self.output = os.path.join(self.tmp, "out")
        self.world = World(export_onnx.CHECK_SENTENCES, os.path.join(TINY, "sentencepiece.bpe.model"))
        self.world.hub_files = hub_repository(TINY, export_onnx.REPOSITORY_FILES)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_main(self, *args):
        """Runs export_onnx.main with the fakes; returns (exit code, stdout, stderr)."""
        world = self.world
        torch = types.ModuleType("torch")
        torch.manual_seed = lambda seed: None
        transformers = types.ModuleType("transformers")

        class LukeModel:
            def __init__(self, config=None):
                pass

            @classmethod
            def from_pretrained(cls, model, revision=None):
                return cls()

            def eval(self):
                return self

        transformers.LukeModel = LukeModel
        transformers.LukeConfig = lambda **kw: kw
        st = types.ModuleType("sentence_transformers")
        st.SentenceTransformer = world.sentence_transformer(world)
        hub = types.ModuleType("huggingface_hub")
        hub.hf_hub_download = world.hf_hub_download
        errors = types.ModuleType("huggingface_hub.errors")
        errors.EntryNotFoundError, errors.LocalEntryNotFoundError = EntryNotFoundError, LocalEntryNotFoundError
        hub.errors = errors
        heavy = {"torch": torch, "transformers": transformers, "sentence_transformers": st,
                 "huggingface_hub": hub, "huggingface_hub.errors": errors, "onnx": None, "onnxruntime": None}
        versions = {name: pin for name, pin in export_onnx.PINS.items()}
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with mock.patch.dict(sys.modules, heavy), \
                mock.patch.object(export_onnx, "installed_versions", lambda: dict(versions)), \
                mock.patch.object(export_onnx, "export", world.export), \
                mock.patch.object(export_onnx, "quantize", world.quantize), \
                mock.patch.object(export_onnx, "onnx_embeddings", world.onnx_embeddings), \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                export_onnx.main(list(args) + ["--output", self.output])
            except SystemExit as exit:
                code = exit.code
        return code, out.getvalue(), err.getvalue()

    def files(self):
        return sorted(os.listdir(self.output)) if os.path.isdir(self.output) else []

    def assertNoGraph(self):
        for name in ("model.onnx", "model_int8.onnx", "model.onnx.partial", "model_int8.onnx.partial"):
            self.assertFalse(os.path.exists(os.path.join(self.output, name)), f"{name} left in {self.files()}")


# ---- 1. The MLuke 4.x id rule ----

class MLukeIdRuleTest(unittest.TestCase):
    def test_mluke_ids_equal_the_reference_fixture_ids(self):
        spm = sentencepiece.SentencePieceProcessor(model_file=os.path.join(TEST_DATA, "uni32k.model"))
        with open(os.path.join(TEST_DATA, "tokens.uni32k.json"), encoding="utf-8") as f:
            rows = json.load(f)["rows"]
        # mluke_ids covers texts without literal special-token strings (CHECK_SENTENCES has none).
        rows = [r for r in rows if not any(s in r["text"] for s in SPECIAL_STRINGS)]
        wrong, unknown_runs, truncated = [], 0, 0
        for row in rows:
            for key, max_length in (("ids", 10 ** 6), ("ids_max512", 512), ("ids_max128", 128)):
                ids = export_onnx.mluke_ids(spm, row["text"], max_length)
                if ids != row[key]:
                    wrong.append(f"{row['text'][:30]!r} {key}: {first_difference(ids, row[key])}")
            unknown_runs += 3 in row["ids"][1:-1]
            truncated += len(row["ids"]) > 512
        self.assertEqual(wrong[:5], [], f"{len(wrong)} of {3 * len(rows)} id lists differ")
        # The fixtures exercise every part of the rule: the +1 offset, unknowns, truncation with </s> last.
        self.assertGreater(len(rows), 100)
        self.assertGreater(unknown_runs, 0)
        self.assertGreater(truncated, 0)


class MLukeGateTest(ExportTestCase):
    def test_gate_refuses_ids_of_a_transformers_5_tokenizer(self):
        # transformers 5.x: raw SentencePiece ids, no +1.
        for text in self.world.sentences:
            self.world.ids[text] = [0] + self.world.spm.encode(text, out_type=int)[:510] + [2]
        code, out, err = self.run_main()
        self.assertEqual(code, 1)
        self.assertIn("differ from the MLuke 4.x rules", err)
        self.assertNoGraph()
        self.assertNotIn("parity.json", self.files())


# ---- 2. Repository files ----

class RepositoryFilesTest(ExportTestCase):
    def test_missing_optional_files_are_skipped(self):
        required = [n for n, r in export_onnx.REPOSITORY_FILES.items() if r]
        self.world.hub_files = hub_repository(TINY, required)
        code, out, err = self.run_main()
        self.assertEqual(code, 0, err)
        for name, is_required in export_onnx.REPOSITORY_FILES.items():
            path = os.path.join(self.output, *name.split("/"))
            self.assertEqual(os.path.exists(path), is_required, name)
            if not is_required:
                self.assertIn(f"has no '{name}' (optional); skipped", out)
        self.assertIn("model.onnx", self.files())
        # Every file is asked for at the pinned commit.
        self.assertEqual({r for _, _, r in self.world.downloads}, {export_onnx.DEFAULT_REVISION})

    def test_all_files_are_copied(self):
        code, out, err = self.run_main()
        self.assertEqual(code, 0, err)
        for name in export_onnx.REPOSITORY_FILES:
            with open(os.path.join(self.output, *name.split("/")), "rb") as a, open(self.world.hub_files[name], "rb") as b:
                self.assertEqual(a.read(), b.read(), name)

    def test_a_missing_required_file_stops_the_export(self):
        for name in [n for n, r in export_onnx.REPOSITORY_FILES.items() if r]:
            with self.subTest(name=name):
                shutil.rmtree(self.output, ignore_errors=True)
                self.world.hub_files = hub_repository(TINY, [n for n in export_onnx.REPOSITORY_FILES if n != name])
                self.world.exports.clear()
                code, out, err = self.run_main()
                self.assertEqual(code, 1)
                self.assertIn(f"'{name}' not found", err)
                self.assertEqual(self.world.exports, [])
                self.assertNoGraph()

    def test_an_optional_file_offline_and_not_cached_stops_the_export(self):
        self.world.hub_files.pop("added_tokens.json")
        self.world.offline = True
        code, out, err = self.run_main()
        self.assertEqual(code, 1)
        self.assertIn("'added_tokens.json'", err)
        self.assertIn("not in the huggingface_hub cache", err)
        self.assertNoGraph()

    def test_a_local_folder_without_optional_files(self):
        folder = os.path.join(self.tmp, "local-model")
        os.makedirs(folder)
        for name in ("sentencepiece.bpe.model", "config.json"):
            shutil.copyfile(os.path.join(TINY, name), os.path.join(folder, name))
        code, out, err = self.run_main("--model", folder)
        self.assertEqual(code, 0, err)
        self.assertEqual(self.world.downloads, [])
        self.assertIn("has no 'entity_vocab.json' (optional); skipped", out)
        os.remove(os.path.join(folder, "config.json"))
        code, out, err = self.run_main("--model", folder)
        self.assertEqual(code, 1)
        self.assertIn("'config.json' not found", err)


# ---- 3. Temporary names and the rename after the gate ----

class TemporaryNamesTest(ExportTestCase):
    def test_graph_is_checked_under_a_temporary_name_and_renamed_after_the_gate(self):
        code, out, err = self.run_main("--int8")
        self.assertEqual(code, 0, err)
        self.assertEqual([os.path.basename(p) for p, _ in self.world.exports], ["model.onnx.partial"])
        self.assertEqual([os.path.basename(p) for p, _ in self.world.seen], ["model.onnx.partial", "model_int8.onnx.partial"])
        for _, files in self.world.seen:  # while the gate runs, nothing loadable is in place
            for name in ("model.onnx", "model_int8.onnx", "parity.json"):
                self.assertNotIn(name, files)
        files = self.files()
        self.assertIn("model.onnx", files)
        self.assertIn("model_int8.onnx", files)
        self.assertIn("parity.json", files)
        self.assertEqual([f for f in files if f.endswith(".partial")], [])

    def test_a_failed_gate_leaves_no_graph_also_over_an_earlier_export(self):
        os.makedirs(self.output)
        for name in ("model.onnx", "model_int8.onnx", "parity.json"):
            with open(os.path.join(self.output, name), "w") as f:
                f.write("an earlier export")
        self.world.fp32_error = 1e-3  # above --tolerance 1e-4
        code, out, err = self.run_main("--int8")
        self.assertEqual(code, 1)
        self.assertIn("differs from sentence-transformers", err)
        self.assertNoGraph()
        self.assertNotIn("parity.json", self.files())

    def test_a_difference_within_tolerance_passes(self):
        self.world.fp32_error = 5e-5
        code, out, err = self.run_main()
        self.assertEqual(code, 0, err)
        self.world.fp32_error = 2e-4
        code, out, err = self.run_main("--tolerance", "1e-3")
        self.assertEqual(code, 0, err)

    def test_a_failed_int8_check_keeps_fp32_and_parity_and_exits_non_zero(self):
        self.world.int8_rotation = np.arccos(0.98)  # cosine 0.98 < 0.99
        code, out, err = self.run_main("--int8")
        self.assertEqual(code, 1)
        self.assertIn("model_int8.onnx was NOT written", err)
        files = self.files()
        self.assertIn("model.onnx", files)
        self.assertIn("parity.json", files)
        self.assertNotIn("model_int8.onnx", files)
        self.assertEqual([f for f in files if f.endswith(".partial")], [])

    def test_an_int8_cosine_above_the_floor_is_written(self):
        self.world.int8_rotation = np.arccos(0.995)
        code, out, err = self.run_main("--int8")
        self.assertEqual(code, 0, err)
        self.assertIn("model_int8.onnx", self.files())


# ---- 4. The model card's cosines ----

class CardCosinesTest(ExportTestCase):
    def shifted(self, by):
        return {pair: value + (by if pair == (0, 2) else 0.0) for pair, value in export_onnx.CARD_COSINES.items()}

    def test_gate_card_cosines_tolerance(self):
        for by, passes in ((0.0, True), (0.0009, True), (-0.0009, True), (0.0011, False), (-0.0011, False), (0.2, False)):
            with self.subTest(by=by):
                embeddings = card_vectors(self.shifted(by))
                err = io.StringIO()
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                    try:
                        export_onnx.gate_card_cosines(export_onnx.DEFAULT_MODEL, embeddings)
                        code = 0
                    except SystemExit as exit:
                        code = exit.code
                self.assertEqual(code, 0 if passes else 1, err.getvalue())

    def test_enforced_for_glucose_base_ja(self):
        self.world.set_card_cosines(self.shifted(0.002))
        code, out, err = self.run_main()
        self.assertEqual(code, 1)
        self.assertIn("model card's cosines", err)
        self.assertNoGraph()

    def test_skipped_with_a_note_for_another_repository(self):
        self.world.set_card_cosines(self.shifted(0.2))
        code, out, err = self.run_main("--model", "someone/other-luke-model")
        self.assertEqual(code, 0, err)
        self.assertIn("not checked (someone/other-luke-model is not pkshatech/GLuCoSE-base-ja)", out)
        self.assertIn("model.onnx", self.files())
        self.assertEqual({r for _, _, r in self.world.downloads}, {"main"})


# ---- 5. parity.json as `glucose parity` reads it ----

def reader_fields():
    """The field names ParityFile.Read takes (root and sentence), from the C# source."""
    with open(PARITY_READER, encoding="utf-8") as f:
        source = f.read()
    return set(re.findall(r'TryGetProperty\("([a-z_]+)"', source)) | set(re.findall(r'Array\(row, "([a-z_]+)"', source))


class ParityJsonTest(ExportTestCase):
    HEADER = ["format", "model", "revision", "max_seq_length", "dimensions", "normalized", "source", "versions", "sentences"]

    def read_parity(self):
        with open(os.path.join(self.output, "parity.json"), encoding="utf-8") as f:
            return json.load(f)

    def test_shape_and_field_names(self):
        code, out, err = self.run_main()
        self.assertEqual(code, 0, err)
        parity = self.read_parity()
        self.assertEqual(list(parity), self.HEADER)
        with open(os.path.join(TINY, "parity.json"), encoding="utf-8") as f:
            self.assertEqual(list(json.load(f)), self.HEADER)  # the committed tiny file has the same header
        # What ParityFile.Read requires.
        self.assertEqual(reader_fields(), {"max_seq_length", "sentences", "text", "ids", "embedding"})
        self.assertIsInstance(parity["max_seq_length"], int)
        self.assertEqual(parity["max_seq_length"], 512)
        self.assertEqual(parity["format"], "glucose-parity/1")
        self.assertEqual(parity["model"], export_onnx.DEFAULT_MODEL)
        self.assertEqual(parity["revision"], export_onnx.DEFAULT_REVISION)
        self.assertIs(parity["normalized"], False)
        self.assertEqual(parity["dimensions"], 16)
        self.assertEqual([s["text"] for s in parity["sentences"]], export_onnx.CHECK_SENTENCES)
        for row in parity["sentences"]:
            self.assertEqual(list(row), ["text", "ids", "embedding"])
            self.assertTrue(row["ids"] == self.world.ids[row["text"]], first_difference(row["ids"], self.world.ids[row["text"]]))
            self.assertTrue(all(type(i) is int and 0 <= i < 2 ** 31 for i in row["ids"]))
            self.assertLessEqual(len(row["ids"]), parity["max_seq_length"])
            self.assertEqual((row["ids"][0], row["ids"][-1]), (0, 2))
            self.assertEqual(len(row["embedding"]), parity["dimensions"])
            np.testing.assert_allclose(row["embedding"], self.world.embeddings[row["text"]], rtol=0, atol=1e-7)
        self.assertEqual(max(len(s["ids"]) for s in parity["sentences"]), 512)  # the long sentence is truncated
        self.assertIn("wrote " + os.path.join(self.output, "parity.json"), out)

    def test_a_local_folder_has_no_revision(self):
        code, out, err = self.run_main("--model", TINY)
        self.assertEqual(code, 0, err)
        self.assertIsNone(self.read_parity()["revision"])

    def test_written_for_the_tiny_model_and_read_by_glucose_parity(self):
        """A stubbed run on models/tiny-random-luke whose sentence-transformers gives the PyTorch reference rows
        (ids and embeddings of models/tiny-random-luke/parity.json): the script's gate accepts those independent ids,
        and the file it writes is read and passed by the C# `glucose parity` (when GLUCOSE_CLI_DLL is set)."""
        with open(os.path.join(TINY, "parity.json"), encoding="utf-8") as f:
            reference = json.load(f)
        texts = [s["text"] for s in reference["sentences"]]
        world = self.world = World(texts, os.path.join(TINY, "sentencepiece.bpe.model"), reference["max_seq_length"])
        for s in reference["sentences"]:
            world.ids[s["text"]] = s["ids"]
            world.embeddings[s["text"]] = np.array(s["embedding"], dtype=np.float64)
        with mock.patch.object(export_onnx, "CHECK_SENTENCES", texts):
            code, out, err = self.run_main("--model", TINY)
        self.assertEqual(code, 0, err)
        self.assertIn("not checked", out)  # a local folder: no card gate
        parity = self.read_parity()
        for written, expected in zip(parity["sentences"], reference["sentences"]):
            self.assertEqual(list(written), ["text", "ids", "embedding"])
            self.assertEqual(written["text"], expected["text"])
            self.assertTrue(written["ids"] == expected["ids"], first_difference(written["ids"], expected["ids"]))
            self.assertTrue(written["embedding"] == expected["embedding"], "the embedding differs from encode()'s")
        self.assertEqual(len(parity["sentences"]), len(reference["sentences"]))
        dll = os.environ.get("GLUCOSE_CLI_DLL")
        if not dll:
            self.skipTest("GLUCOSE_CLI_DLL not set: the C# `glucose parity` read is not run (.ci/run sets it)")
        result = subprocess.run(["dotnet", dll, "parity", "--model", TINY, "--file", os.path.join(self.output, "parity.json")],
                                capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(f"all {len(texts)} sentences match", result.stdout)


# ---- The package check ----

class RequirementsTest(unittest.TestCase):
    def check(self, random_weights, **changed):
        versions = dict(export_onnx.PINS, **changed)
        err = io.StringIO()
        with mock.patch.object(export_onnx, "installed_versions", lambda: dict(versions)), \
                contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            try:
                export_onnx.check_requirements(random_weights)
                return 0, err.getvalue()
            except SystemExit as exit:
                return exit.code, err.getvalue()

    def test_refuses_known_bad_versions(self):
        self.assertEqual(self.check(False)[0], 0)
        self.assertEqual(self.check(False, transformers="5.0.0")[0], 1)
        self.assertEqual(self.check(True, transformers="5.0.0")[0], 0)  # --random-weights has no tokenizer
        self.assertEqual(self.check(False, transformers="4.27.4")[0], 1)
        self.assertEqual(self.check(False, **{"sentence-transformers": "2.2.2"})[0], 1)
        self.assertEqual(self.check(False, **{"sentence-transformers": None})[0], 1)
        self.assertEqual(self.check(False, torch="2.4.1+cu121")[0], 0)


if __name__ == "__main__":
    unittest.main()
