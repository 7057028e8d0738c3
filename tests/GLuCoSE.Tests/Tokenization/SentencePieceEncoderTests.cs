using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using GLuCoSE.Tests.Infrastructure;
using GLuCoSE.Tokenization;
using Xunit;

namespace GLuCoSE.Tests.Tokenization;

/// <summary>
/// Differential tests against the SentencePiece reference implementation (<c>spm_encode</c>) on generated strings.
/// CI installs Debian's <c>sentencepiece</c>; elsewhere the tests are skipped when spm_encode is not on PATH.
/// </summary>
public sealed class SentencePieceEncoderTests
{
    private const int StringsPerModel = 2500;

    public static TheoryData<string, int> Models => new() { { "uni32k", 1 }, { "bpe8k", 2 }, { "uni8kbf", 3 } };

    [Theory]
    [MemberData(nameof(Models))]
    public void Encode_RandomStrings_MatchSpmEncode(string model, int seed)
    {
        string? spmEncode = SpmEncode.Find();
        bool required = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        Assert.SkipWhen(spmEncode is null && !required, "spm_encode is not on PATH (apt-get install sentencepiece).");
        Assert.True(spmEncode is not null, "CI must run the differential test: spm_encode is not on PATH (apt-get install sentencepiece).");

        string modelPath = TestPaths.TestData($"{model}.model");
        var random = new Random(seed);
        var texts = new List<string>(StringsPerModel);
        for (int i = 0; i < StringsPerModel; i++)
        {
            texts.Add(RandomText.Next(random));
        }

        List<int[]> expected = SpmEncode.EncodeIds(spmEncode!, modelPath, texts);
        SentencePieceEncoder encoder = SentencePieceEncoder.Load(File.ReadAllBytes(modelPath));

        var failures = new StringBuilder();
        int mismatches = 0;
        var actual = new List<int>();
        for (int i = 0; i < texts.Count; i++)
        {
            actual.Clear();
            encoder.Encode(texts[i], actual);
            if (!expected[i].AsSpan().SequenceEqual(actual.ToArray()))
            {
                if (++mismatches <= 10)
                {
                    failures.AppendLine(JsonSerializer.Serialize(texts[i]));
                    failures.AppendLine($"  spm_encode {string.Join(',', expected[i])}");
                    failures.AppendLine($"  actual     {string.Join(',', actual)}");
                }
            }
        }

        Assert.True(mismatches == 0, $"{mismatches} of {texts.Count} strings differ from spm_encode:{Environment.NewLine}{failures}");
    }
}
