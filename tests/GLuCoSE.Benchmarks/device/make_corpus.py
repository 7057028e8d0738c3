#!/usr/bin/env python3
"""A synthetic benchmark corpus: sentences sampled from the tokenizer's own unigram language model.

The device run needs a corpus on a machine that the JGLUE files must not be copied to, so it makes one: each
sentence is 2 to 11 pieces drawn from the SentencePiece model with probability exp(score) (the model's unigram
piece distribution), joined and turned back into text. Only lengths matter for speed; this gives about the
JSTS corpus's 9 tokens per sentence, and the same corpus on every machine (fixed seed, no data files).

usage: make_corpus.py SENTENCEPIECE_MODEL OUT.json [COUNT]      (needs the sentencepiece Python package)
"""
import json, math, random, sys

import sentencepiece as spm


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2808
    ids = [i for i in range(sp.get_piece_size())
           if not (sp.is_control(i) or sp.is_unknown(i) or sp.is_unused(i) or sp.is_byte(i))
           and sp.id_to_piece(i).strip("\u2581")]
    weights = [math.exp(sp.get_score(i)) for i in ids]
    rng = random.Random(20261127)
    seen, out, tokens = set(), [], 0
    while len(out) < count:
        pieces = rng.choices(ids, weights, k=rng.randint(2, 11))
        text = "".join(sp.id_to_piece(i) for i in pieces).replace("\u2581", " ").strip()
        if text and text not in seen:
            seen.add(text)
            out.append(text)
            tokens += len(sp.encode(text)) + 2
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)
    print(f"{len(out)} sentences, {tokens} tokens with <s> and </s> ({tokens / len(out):.1f} per sentence)")


if __name__ == "__main__":
    main()
