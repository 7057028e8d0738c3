// Differential fuzzing of the tokenizer against the SentencePiece reference implementation (spm_encode).
// usage: dotnet run -c Release --project tests/GLuCoSE.TokenizerFuzz -- [--count N] [--seed S] [MODEL.model ...]
// With no models it fuzzes the three reference models in tests/GLuCoSE.Tests/TestData. Exit code 1 on any mismatch.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using GLuCoSE.Tests.Infrastructure;
using GLuCoSE.Tokenization;

int count = 100_000;
int seed = 20261127;
var models = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--count": count = int.Parse(args[++i]); break;
        case "--seed": seed = int.Parse(args[++i]); break;
        default: models.Add(args[i]); break;
    }
}

if (models.Count == 0)
{
    string data = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "GLuCoSE.Tests", "TestData");
    foreach (string name in new[] { "uni32k", "bpe8k", "uni8kbf" })
    {
        models.Add(Path.GetFullPath(Path.Combine(data, name + ".model")));
    }
}

string spm = SpmEncode.Find() ?? throw new InvalidOperationException("spm_encode is not on PATH (apt-get install sentencepiece).");
int totalMismatches = 0;
foreach (string model in models)
{
    var random = new Random(seed);
    var texts = new List<string>(count);
    for (int i = 0; i < count; i++)
    {
        texts.Add(RandomText.Next(random));
    }

    var clock = Stopwatch.StartNew();
    List<int[]> expected = SpmEncode.EncodeIds(spm, model, texts);
    TimeSpan spmTime = clock.Elapsed;
    clock.Restart();
    SentencePieceEncoder encoder = SentencePieceEncoder.Load(File.ReadAllBytes(model));
    int mismatches = 0;
    var ids = new List<int>();
    for (int i = 0; i < texts.Count; i++)
    {
        ids.Clear();
        encoder.Encode(texts[i], ids);
        if (!expected[i].AsSpan().SequenceEqual(ids.ToArray()))
        {
            if (++mismatches <= 5)
            {
                Console.WriteLine($"  MISMATCH {JsonSerializer.Serialize(texts[i])}\n    spm_encode {string.Join(',', expected[i])}\n    actual     {string.Join(',', ids)}");
            }
        }
    }

    Console.WriteLine($"{Path.GetFileName(model)}: {count} strings (seed {seed}), {mismatches} mismatches; spm_encode {spmTime.TotalSeconds:F1}s, ours {clock.Elapsed.TotalSeconds:F1}s");
    totalMismatches += mismatches;
}

Console.WriteLine($"total mismatches: {totalMismatches}");
return totalMismatches == 0 ? 0 : 1;
