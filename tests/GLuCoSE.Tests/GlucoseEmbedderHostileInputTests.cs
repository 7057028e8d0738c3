using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>Whatever users type: nothing breaks, and the answers stay the reference's.</summary>
public sealed class GlucoseEmbedderHostileInputTests
{
    // The surrogate comes as a number: theory data with a lone surrogate would not survive serialization.
    [Theory]
    [InlineData("前半", 0xD800, "後半")]
    [InlineData("", 0xDC00, "")]
    [InlineData("終わりに", 0xD83C, "")]
    public void Encode_UnpairedSurrogate_ThrowsArgumentNamingTheIndex(string before, int surrogate, string after)
    {
        string bad = before + (char)surrogate + after;
        int position = before.Length;
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        var single = Assert.Throws<ArgumentException>(() => embedder.Encode(bad));
        var batch = Assert.Throws<ArgumentException>(() => embedder.Encode(["正常な文。", bad]));
        var tokenizer = Assert.Throws<ArgumentException>(() => embedder.Tokenizer.EncodeToIds(bad));

        Assert.Equal("text", single.ParamName);
        Assert.Contains($"at index {position}", single.Message, StringComparison.Ordinal);
        Assert.Equal("texts", batch.ParamName);
        Assert.Contains("texts[1]", batch.Message, StringComparison.Ordinal);
        Assert.Contains($"at index {position}", batch.Message, StringComparison.Ordinal);
        Assert.Equal("text", tokenizer.ParamName);
    }

    [Fact]
    public void Encode_SurrogatePairs_AreFine()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        Assert.Equal(32, embedder.Encode("𠮷野家の🍣").Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\u3000")]
    public void Encode_EmptyAndWhitespaceOnly_GiveTheReferenceEmbedding(string text)
    {
        EmbeddingRow row = EmbeddingReference.TinyLuke.Rows.Single(r => r.Text == text);
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        Assert.Equal([0, 2], embedder.Tokenizer.EncodeToIds(text));
        GlucoseEmbedderParityTests.AssertClose(row.Embedding, embedder.Encode(text), $"'{text}' alone");
        GlucoseEmbedderParityTests.AssertClose(row.Embedding, embedder.Encode([text, "文。"])[0], $"'{text}' in a batch");
    }

    [Theory]
    [InlineData("uni32k")]
    [InlineData("bpe8k")]
    [InlineData("uni8kbf")]
    public void EncodeToIds_TenMegabyteText_TruncatesToTheReferenceIds(string model)
    {
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData($"{model}.model"));
        string text = TenMegabytes();

        int[] truncated = tokenizer.EncodeToIds(text, 512);

        // The reference: the whole text segmented, then cut as transformers cuts (first 510 ids, then </s>).
        int[] whole = tokenizer.EncodeToIds(text);
        Assert.True(whole.Length > 512, $"the text gave only {whole.Length} ids");
        Assert.Equal([.. whole[..511], GlucoseTokenizer.EndOfSentenceId], truncated);
    }

    [Theory]
    [InlineData("uni32k", "お", 6131, 512)]
    [InlineData("uni32k", "1", 6131, 512)]
    [InlineData("uni32k", "お", 20001, 128)]
    [InlineData("uni8kbf", "ま", 6131, 512)]
    [InlineData("uni32k", "今日は晴れ。", 4000, 512)]
    public void EncodeToIds_LongRepetitiveText_TruncatesToTheWholeTextsIds(string model, string unit, int repeat, int maxLength)
    {
        // On a run of one repeated character the best segmentation of the start depends on the run's length (its
        // parity, for one): a prefix of the text is not enough, and truncation must still give the whole text's ids.
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData($"{model}.model"));
        string text = string.Concat(Enumerable.Repeat(unit, repeat));

        int[] whole = tokenizer.EncodeToIds(text);

        Assert.True(whole.Length > maxLength, $"the text gave only {whole.Length} ids");
        Assert.Equal([.. whole[..(maxLength - 1)], GlucoseTokenizer.EndOfSentenceId], tokenizer.EncodeToIds(text, maxLength));

        // One character more (the other parity) has its own whole-text ids, and truncation follows them too.
        string longer = text + unit[..1];
        int[] wholeLonger = tokenizer.EncodeToIds(longer);
        Assert.Equal([.. wholeLonger[..(maxLength - 1)], GlucoseTokenizer.EndOfSentenceId], tokenizer.EncodeToIds(longer, maxLength));
    }

    [Fact]
    public void Encode_TenMegabyteText_EqualsItsTruncatedStart()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        string text = TenMegabytes();

        float[] embedding = embedder.Encode(text);

        Assert.Equal(embedder.Encode([text[..20_000]])[0], embedding);
    }

    internal static string TenMegabytes()
    {
        string[] rows = TokenReference.Load(TestPaths.TestData("tokens.uni32k.json")).Select(r => r.Text).ToArray();
        var builder = new StringBuilder(10_000_100);
        for (int i = 0; builder.Length < 10_000_000; i++)
        {
            builder.Append(rows[i % rows.Length]);
        }

        return builder.ToString();
    }
}
