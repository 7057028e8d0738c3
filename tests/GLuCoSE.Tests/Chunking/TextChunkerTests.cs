using System;
using System.Collections.Generic;
using System.Linq;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Chunking;

/// <summary><see cref="TextChunker"/>: token budgets, sentence ends, overlap, coverage.</summary>
public sealed class TextChunkerTests
{
    private static readonly Lazy<GlucoseTokenizer> Tokenizer = new(() => GlucoseTokenizer.Create(System.IO.Path.Combine(TestPaths.TinyModel, "sentencepiece.bpe.model")));

    [Fact]
    public void Split_TextThatFits_OneChunkOfTheWholeText()
    {
        string text = Sentences.Document(3);

        TextChunk chunk = Assert.Single(TextChunker.Split(text, Tokenizer.Value, maxTokens: 512, overlapTokens: 64));

        Assert.Equal(text, chunk.Text);
        Assert.Equal(0, chunk.Start);
        Assert.Equal(Tokenizer.Value.CountTokens(text), chunk.TokenCount);
    }

    [Theory]
    [InlineData(64, 0)]
    [InlineData(64, 16)]
    [InlineData(128, 32)]
    [InlineData(512, 64)]
    public void Split_LongText_ChunksFitEndAtSentenceEndsAndCoverTheText(int maxTokens, int overlapTokens)
    {
        string text = Sentences.Document(120);

        IReadOnlyList<TextChunk> chunks = TextChunker.Split(text, Tokenizer.Value, maxTokens, overlapTokens);

        Assert.True(chunks.Count > 1);
        Assert.Equal(0, chunks[0].Start);
        Assert.Equal(text.Length, End(chunks[^1]));
        for (int c = 0; c < chunks.Count; c++)
        {
            TextChunk chunk = chunks[c];
            Assert.Equal(text.Substring(chunk.Start, chunk.Text.Length), chunk.Text);
            Assert.Equal(Tokenizer.Value.CountTokens(chunk.Text), chunk.TokenCount);
            Assert.InRange(chunk.TokenCount, 3, maxTokens);
            Assert.Matches("[。\n]$", chunk.Text);
            if (c > 0)
            {
                // No gap, progress every time, and overlap only when asked for (and a sentence fits in it).
                Assert.InRange(chunk.Start, chunks[c - 1].Start + 1, End(chunks[c - 1]));
                if (overlapTokens == 0)
                {
                    Assert.Equal(End(chunks[c - 1]), chunk.Start);
                }
            }
        }
    }

    [Fact]
    public void Split_Overlap_NextChunkRepeatsTheLastSentencesWithinTheBudget()
    {
        string text = Sentences.Document(40);

        IReadOnlyList<TextChunk> chunks = TextChunker.Split(text, Tokenizer.Value, maxTokens: 100, overlapTokens: 30);

        for (int c = 1; c < chunks.Count; c++)
        {
            string repeated = text[chunks[c].Start..End(chunks[c - 1])];
            Assert.NotEmpty(repeated);
            Assert.EndsWith(repeated, chunks[c - 1].Text, StringComparison.Ordinal);
            Assert.StartsWith(repeated, chunks[c].Text, StringComparison.Ordinal);
            // Counted sentence by sentence; joined text can segment a token differently at a boundary.
            Assert.InRange(Tokenizer.Value.CountTokens(repeated) - 2, 1, 30 + 2);
        }
    }

    [Fact]
    public void Split_OverlapOfSeveralSentences_EveryChunkAfterTheFirstOverlaps()
    {
        string text = Sentences.Document(60);

        IReadOnlyList<TextChunk> chunks = TextChunker.Split(text, Tokenizer.Value, maxTokens: 128, overlapTokens: 48);

        Assert.True(chunks.Count > 2);
        Assert.All(chunks.Skip(1).Zip(chunks), pair => Assert.True(pair.First.Start < End(pair.Second), "each chunk should start inside the previous one"));
    }

    [Fact]
    public void Split_SentenceLongerThanTheBudget_CutAtTokenBoundaries()
    {
        // One "sentence" with no sentence end at all.
        string text = string.Concat(Enumerable.Repeat("猫と犬と鳥と魚と", 60));

        IReadOnlyList<TextChunk> chunks = TextChunker.Split(text, Tokenizer.Value, maxTokens: 50, overlapTokens: 10);

        Assert.True(chunks.Count > 3);
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Text)));
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 3, 50));
    }

    [Fact]
    public void Split_ExclamationsQuestionsAndQuotes_EndSentencesAfterTheClosers()
    {
        string sentence = "本当ですか？「すごい！」と彼は言った。";
        string text = string.Concat(Enumerable.Repeat(sentence, 30));

        IReadOnlyList<TextChunk> chunks = TextChunker.Split(text, Tokenizer.Value, maxTokens: 40, overlapTokens: 0);

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.Matches("(？|！」|。)$", c.Text));
    }

    [Fact]
    public void Split_EmptyText_OneEmptyChunk()
    {
        TextChunk chunk = Assert.Single(TextChunker.Split(string.Empty, Tokenizer.Value, 10));

        Assert.Equal(string.Empty, chunk.Text);
        Assert.Equal(2, chunk.TokenCount);
    }

    [Fact]
    public void Split_BadArguments_ThrowNamingTheArgument()
    {
        Assert.Throws<ArgumentNullException>(() => TextChunker.Split(null!, Tokenizer.Value, 10));
        Assert.Throws<ArgumentNullException>(() => TextChunker.Split("a", null!, 10));
        Assert.Equal("maxTokens", Assert.Throws<ArgumentOutOfRangeException>(() => TextChunker.Split("a", Tokenizer.Value, 2)).ParamName);
        Assert.Equal("overlapTokens", Assert.Throws<ArgumentOutOfRangeException>(() => TextChunker.Split("a", Tokenizer.Value, 10, 10)).ParamName);
        Assert.Equal("overlapTokens", Assert.Throws<ArgumentOutOfRangeException>(() => TextChunker.Split("a", Tokenizer.Value, 10, -1)).ParamName);
    }

    [Fact]
    public void Split_LongTextWithoutSentenceEnds_CutsIntoPiecesThatFit()
    {
        // 4,000 clauses joined by commas and no sentence end: every piece must fit, and the whole must be covered.
        string text = string.Join("、", Enumerable.Range(0, 4000).Select(i => $"項目{i}を確認した"));
        IReadOnlyList<TextChunk> chunks = TextChunker.Split(text, Tokenizer.Value, 128, 16);

        Assert.Equal(0, chunks[0].Start);
        Assert.Equal(text.Length, chunks[^1].Start + chunks[^1].Text.Length);
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 128));
        Assert.All(chunks, c => Assert.Equal(text.Substring(c.Start, c.Text.Length), c.Text));
        Assert.True(chunks.Count > text.Length / (128 * 8), $"{chunks.Count} chunks for {text.Length} characters");
    }

    [Fact]
    public void Split_NoOverlapAndBlankLinesBetweenSentences_RepeatsNothing()
    {
        // " \n" after each sentence is a unit of its own that costs no tokens; with no overlap it must not be repeated.
        string text = string.Concat(Enumerable.Repeat("今日は晴れです。 \n明日は雨でしょう。 \n", 20));

        IReadOnlyList<TextChunk> chunks = TextChunker.Split(text, Tokenizer.Value, maxTokens: 20, overlapTokens: 0);

        Assert.True(chunks.Count > 1);
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Text)));
    }

    [Fact]
    public void Split_OverlapWhereOnlyBlankLinesFit_RepeatsNoBlankLinesAlone()
    {
        // The last sentence of each chunk is longer than the overlap, so nothing of it is repeated, nor the blank
        // line after it (an overlap of white space only gives the next chunk no context).
        string text = string.Concat(Enumerable.Repeat("今日は晴れです。 \n明日は雨でしょう。 \n", 20));

        IReadOnlyList<TextChunk> chunks = TextChunker.Split(text, Tokenizer.Value, maxTokens: 20, overlapTokens: 1);

        for (int c = 1; c < chunks.Count; c++)
        {
            Assert.Equal(End(chunks[c - 1]), chunks[c].Start);
        }
    }

    [Theory]
    [InlineData("葛\U000E0100城")]      // a kanji and its ideographic variation selector (Japanese names in official documents)
    [InlineData("か\u309Aき")]           // kana with a combining semi-voiced mark that has no precomposed form
    [InlineData("1\uFE0F\u20E3です")]     // a keycap emoji sequence
    public void Split_SentenceLongerThanTheBudget_NeverCutsInsideACharacter(string piece)
    {
        string text = string.Concat(Enumerable.Repeat(piece, 200));

        IReadOnlyList<TextChunk> chunks = TextChunker.Split(text, Tokenizer.Value, maxTokens: 10, overlapTokens: 0);

        Assert.True(chunks.Count > 1);
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Text)));
        int[] boundaries = System.Globalization.StringInfo.ParseCombiningCharacters(text);
        Assert.All(chunks, c => Assert.Contains(c.Start, boundaries));
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 3, 10));
    }

    // Where a chunk ends in the source text (TextChunk has Start and Text).
    private static int End(TextChunk chunk) => chunk.Start + chunk.Text.Length;
}
