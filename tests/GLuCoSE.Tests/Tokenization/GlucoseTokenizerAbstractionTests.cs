using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;
using Xunit;

namespace GLuCoSE.Tests.Tokenization;

/// <summary>GlucoseTokenizer as a Microsoft.ML.Tokenizers <see cref="Tokenizer"/>.</summary>
public sealed class GlucoseTokenizerAbstractionTests
{
    public static TheoryData<string> Models => new() { "uni32k", "bpe8k", "uni8kbf" };

    [Theory]
    [MemberData(nameof(Models))]
    public void EncodeToTokens_ReferenceRows_SameIdsAsEncodeToIds(string model)
    {
        GlucoseTokenizer glucose = GlucoseTokenizer.Create(TestPaths.TestData($"{model}.model"));
        Tokenizer tokenizer = glucose;

        foreach (TokenRow row in TokenReference.Load(TestPaths.TestData($"tokens.{model}.json")))
        {
            IReadOnlyList<EncodedToken> tokens = tokenizer.EncodeToTokens(row.Text, out string? normalized);

            Assert.Null(normalized);
            Assert.Equal(row.Ids, tokens.Select(t => t.Id).ToArray());
            Assert.Equal(row.Ids, tokenizer.EncodeToIds(row.Text).ToArray());
            Assert.Equal(row.Ids.Length, tokenizer.CountTokens(row.Text));
            foreach (EncodedToken token in tokens)
            {
                (int offset, int length) = token.Offset.GetOffsetAndLength(row.Text.Length);
                Assert.InRange(offset, 0, row.Text.Length);
                Assert.InRange(length, 0, row.Text.Length - offset);
            }
        }
    }

    [Fact]
    public void TokenizerMembers_UnpairedSurrogate_ThrowLikeEncodeToIds()
    {
        Tokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData("uni32k.model"));
        const string text = "a\uD800b";

        Assert.Equal("text", Assert.Throws<ArgumentException>(() => tokenizer.EncodeToTokens(text, out _)).ParamName);
        Assert.Throws<ArgumentException>(() => tokenizer.CountTokens(text));
        Assert.Throws<ArgumentException>(() => tokenizer.EncodeToIds(text.AsSpan()));
        Assert.Throws<ArgumentException>(() => ((GlucoseTokenizer)tokenizer).EncodeToIds(text));
    }

    [Fact]
    public void EncodeToTokens_JapaneseText_OffsetsPointAtTheOriginalText()
    {
        Tokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData("uni32k.model"));
        const string text = "ＰＫＳＨＡ　Technologyは<mask>です🍣🍺";

        IReadOnlyList<EncodedToken> tokens = tokenizer.EncodeToTokens(text, out _);

        Assert.Equal(new Range(0, 0), tokens[0].Offset);
        Assert.Equal("ＰＫＳＨＡ", string.Concat(tokens.Skip(1).Take(5).Select(t => text[t.Offset])));
        EncodedToken mask = Assert.Single(tokens, t => t.Value == "<mask>");
        Assert.Equal("<mask>", text[mask.Offset]);
        EncodedToken unknown = tokens[^2];
        Assert.Equal(GlucoseTokenizer.UnknownId, unknown.Id);
        Assert.Equal("🍣🍺", text[unknown.Offset]);
        Assert.Equal(GlucoseTokenizer.EndOfSentenceId, tokens[^1].Id);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void GetIndexByTokenCount_PrefixBudget_CutsWhereThePrefixFits(string model)
    {
        Tokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData($"{model}.model"));
        string text = TokenReference.Load(TestPaths.TestData($"tokens.{model}.json")).First(r => r.Category == "own_long").Text;

        foreach (int budget in new[] { 2, 3, 10, 64, 128 })
        {
            int index = tokenizer.GetIndexByTokenCount(text, budget, out _, out int tokenCount);

            // Segmentation depends on context, so the prefix may tokenize a little differently; it must still fit.
            Assert.InRange(tokenCount, 2, budget);
            Assert.InRange(tokenizer.CountTokens(text[..index]), 2, budget);
            Assert.True(tokenizer.CountTokens(text) > budget);
            if (budget >= 10)
            {
                Assert.True(index > 0, $"budget {budget} kept no text");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void GetIndexByTokenCountFromEnd_SuffixBudget_SuffixFitsAndIsCountedAsTheModelSeesIt(string model)
    {
        Tokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData($"{model}.model"));
        string text = TokenReference.Load(TestPaths.TestData($"tokens.{model}.json")).First(r => r.Category == "own_long").Text;

        foreach (int budget in new[] { 2, 3, 4, 5, 8, 10, 64, 128 })
        {
            int index = tokenizer.GetIndexByTokenCountFromEnd(text, budget, out _, out int tokenCount);

            // The suffix gets <s> and </s> as every text does, and a dummy-prefix piece where it starts inside a word.
            Assert.InRange(index, 0, text.Length);
            Assert.Equal(tokenizer.CountTokens(text[index..]), tokenCount);
            Assert.InRange(tokenCount, 2, budget);
            if (budget >= 10)
            {
                Assert.True(index < text.Length, $"budget {budget} kept no text");
            }
        }
    }

    [Theory]
    [InlineData("uni32k", "今日は良い天気です。")]
    [InlineData("bpe8k", "今日は良い天気です。")]
    [InlineData("uni8kbf", "𠮷野家で🍣を食べた。")]
    public void Decode_EncodedText_GivesTextBack(string model, string text)
    {
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData($"{model}.model"));

        int[] ids = tokenizer.EncodeToIds(text);

        Assert.Equal(text, tokenizer.Decode(ids));
        var buffer = new char[4];
        Assert.Equal(OperationStatus.DestinationTooSmall, tokenizer.Decode(ids, buffer, out int idsConsumed, out int written));
        Assert.InRange(written, 1, 4);
        Assert.Equal(text[..written], new string(buffer, 0, written));
        Assert.InRange(idsConsumed, 1, ids.Length - 1);
    }
}
