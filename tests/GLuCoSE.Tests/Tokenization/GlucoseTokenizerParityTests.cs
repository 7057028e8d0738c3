using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Tokenization;

/// <summary>
/// Token ids against the reference files made by the Python stack (SentencePiece + the transformers 4.x MLuke rules),
/// for a unigram model with the GLuCoSE layout, a BPE model and a unigram model with byte fallback.
/// </summary>
public sealed class GlucoseTokenizerParityTests
{
    public static TheoryData<string> Models => new() { "uni32k", "bpe8k", "uni8kbf" };

    [Theory]
    [MemberData(nameof(Models))]
    public void EncodeToIds_ReferenceRows_MatchExactly(string model)
    {
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData($"{model}.model"));
        IReadOnlyList<TokenRow> rows = TokenReference.Load(TestPaths.TestData($"tokens.{model}.json"));

        AssertRowsMatch(tokenizer, rows, expectedRows: 136);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void EncodeToIds_JglueRows_MatchExactly(string model)
    {
        string? jglue = TestPaths.JglueFixtures;
        Assert.SkipWhen(jglue is null, "../shared/fixtures/jglue is not beside this repository (set GLUCOSE_JGLUE_DIR to point at it).");

        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData($"{model}.model"));
        IReadOnlyList<TokenRow> rows = TokenReference.Load(Path.Combine(jglue!, $"tokens.{model}.json"));

        AssertRowsMatch(tokenizer, rows, expectedRows: null);
    }

    [Fact]
    public void VocabularySize_GlucoseLayout_Is32772()
    {
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(Path.Combine(TestPaths.TinyModel, "sentencepiece.bpe.model"));

        Assert.Equal(32772, tokenizer.VocabularySize);
        Assert.Equal(32769, tokenizer.MaskId);
        Assert.Equal("<mask>", tokenizer.IdToToken(32769));
        Assert.Equal("<ent2>", tokenizer.IdToToken(32771));
        Assert.Equal("<s>", tokenizer.IdToToken(0));
        Assert.Equal("<unk>", tokenizer.IdToToken(3));
    }

    [Fact]
    public void EncodeToIds_SpecialIdsFromReference_MatchHeader()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(TestPaths.TestData("tokens.uni32k.json")));
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData("uni32k.model"));

        foreach (JsonProperty special in document.RootElement.GetProperty("special").EnumerateObject())
        {
            Assert.Equal([GlucoseTokenizer.BeginningOfSentenceId, special.Value.GetInt32(), GlucoseTokenizer.EndOfSentenceId], tokenizer.EncodeToIds(special.Name));
        }
    }

    [Fact]
    public void EncodeToIds_MaxLengthBelowTwo_Throws()
    {
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData("uni32k.model"));

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.EncodeToIds("あ", 1));
        Assert.Equal("maxLength", ex.ParamName);
    }

    [Fact]
    public void EncodeToIds_MaxLengthTwo_KeepsOnlySpecialTokens()
    {
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData("uni32k.model"));

        Assert.Equal([0, 2], tokenizer.EncodeToIds("吾輩は猫である。", 2));
    }

    [Fact]
    public void EncodeToIds_NullText_Throws()
    {
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData("uni32k.model"));

        var ex = Assert.Throws<ArgumentNullException>(() => tokenizer.EncodeToIds(null!));
        Assert.Equal("text", ex.ParamName);
    }

    private static void AssertRowsMatch(GlucoseTokenizer tokenizer, IReadOnlyList<TokenRow> rows, int? expectedRows)
    {
        if (expectedRows is not null)
        {
            Assert.Equal(expectedRows.Value, rows.Count);
        }

        Assert.NotEmpty(rows);
        var failures = new StringBuilder();
        int mismatches = 0;
        foreach (TokenRow row in rows)
        {
            Check(row, "ids", row.Ids, tokenizer.EncodeToIds(row.Text));
            Check(row, "ids_max512", row.IdsMax512, tokenizer.EncodeToIds(row.Text, 512));
            Check(row, "ids_max128", row.IdsMax128, tokenizer.EncodeToIds(row.Text, 128));
        }

        Assert.True(mismatches == 0, $"{mismatches} of {rows.Count * 3} id lists differ:{Environment.NewLine}{failures}");

        void Check(TokenRow row, string field, int[] expected, int[] actual)
        {
            if (expected.AsSpan().SequenceEqual(actual))
            {
                return;
            }

            mismatches++;
            if (mismatches <= 10)
            {
                failures.AppendLine($"{row} {field} {JsonSerializer.Serialize(row.Text)}");
                failures.AppendLine($"  expected {string.Join(',', expected)}");
                failures.AppendLine($"  actual   {string.Join(',', actual)}");
            }
        }
    }
}
