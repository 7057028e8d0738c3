using System;
using System.Linq;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Chunking;

/// <summary><see cref="GlucoseEmbedder.EncodeDocument(string, ChunkingOptions?, string?)"/>: chunk embeddings and the pooled document embedding.</summary>
public sealed class DocumentEmbeddingTests
{
    [Fact]
    public void EncodeDocument_TextThatFits_EqualsEncode()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        string text = Sentences.Document(5);

        DocumentEmbedding document = embedder.EncodeDocument(text);

        Assert.Single(document.Chunks);
        Vectors.AssertClose(embedder.Encode(text), document.Embedding);
    }

    [Fact]
    public void EncodeDocument_LongText_ChunkEmbeddingsAndTokenWeightedMean()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        string text = Sentences.Document(120);
        Assert.True(embedder.Tokenizer.CountTokens(text) > embedder.MaxSequenceLength, "the text should be over the limit");

        DocumentEmbedding document = embedder.EncodeDocument(text, new ChunkingOptions { OverlapTokens = 32 });

        Assert.True(document.Chunks.Count >= 3);
        Assert.Equal(document.Chunks.Count, document.ChunkEmbeddings.Count);
        Assert.All(document.Chunks, c => Assert.InRange(c.TokenCount, 3, embedder.MaxSequenceLength));
        float[][] expectedChunks = embedder.Encode(document.Chunks.Select(c => c.Text).ToArray());
        var expected = new float[embedder.Dimensions];
        float total = 0;
        for (int c = 0; c < document.Chunks.Count; c++)
        {
            Vectors.AssertClose(expectedChunks[c], document.ChunkEmbeddings[c], what: $"chunk {c}");
            for (int d = 0; d < expected.Length; d++)
            {
                expected[d] += expectedChunks[c][d] * document.Chunks[c].TokenCount;
            }

            total += document.Chunks[c].TokenCount;
        }

        Vectors.AssertClose(expected.Select(x => x / total).ToArray(), document.Embedding, what: "document");
    }

    [Fact]
    public void EncodeDocument_PromptAndNormalization_PromptOnEveryChunkUnitResult()
    {
        var options = GlucosePrompts.UseVersion2Prompts(new GlucoseEmbedderOptions { NormalizeEmbeddings = true, MaxSequenceLength = 128 });
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, options);

        DocumentEmbedding document = embedder.EncodeDocument(Sentences.Document(40), promptName: GlucosePrompts.Passage);

        Assert.True(document.Chunks.Count > 1);
        for (int c = 0; c < document.Chunks.Count; c++)
        {
            Vectors.AssertClose(embedder.Encode("passage: " + document.Chunks[c].Text), document.ChunkEmbeddings[c]);
            Assert.InRange(embedder.Tokenizer.CountTokens("passage: " + document.Chunks[c].Text), 3, 128);
        }

        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(document.Embedding), 1e-5f);
    }

    [Fact]
    public void EncodeDocuments_Many_EqualOneByOne()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { MaxSequenceLength = 64 });
        string[] texts = [Sentences.Document(30), "短い。", Sentences.Document(12, skip: 7)];
        var chunking = new ChunkingOptions { OverlapTokens = 8 };

        DocumentEmbedding[] documents = embedder.EncodeDocuments(texts, chunking);

        for (int i = 0; i < texts.Length; i++)
        {
            DocumentEmbedding single = embedder.EncodeDocument(texts[i], chunking);
            Assert.Equal(single.Chunks.Select(c => (c.Start, c.Text, c.TokenCount)), documents[i].Chunks.Select(c => (c.Start, c.Text, c.TokenCount)));
            Vectors.AssertClose(single.Embedding, documents[i].Embedding);
        }
    }

    [Fact]
    public void EncodeDocument_ChunkSizeOverModelLimit_ThrowsNamingBoth()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { MaxSequenceLength = 128 });

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => embedder.EncodeDocument("テスト", new ChunkingOptions { MaxTokens = 256 }));

        Assert.Contains("256", ex.Message, StringComparison.Ordinal);
        Assert.Contains("128", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => embedder.EncodeDocument("テスト", new ChunkingOptions { MaxTokens = 64, OverlapTokens = 64 }));
        Assert.Throws<ArgumentException>(() => embedder.EncodeDocuments(["a", null!]));
    }

    [Theory]
    [InlineData("query:")]
    [InlineData("文章")]
    [InlineData("。")]
    [InlineData("passage: ")]
    public void EncodeDocument_WithAPrompt_EveryChunkFitsWithThePrompt(string prompt)
    {
        // SentencePiece may cut the join of prompt and chunk into more pieces than the two alone.
        var options = new GlucoseEmbedderOptions { MaxSequenceLength = 64 };
        options.Prompts["p"] = prompt;
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, options);
        int chunks = 0;
        foreach (int skip in Enumerable.Range(0, 10))
        {
            DocumentEmbedding document = embedder.EncodeDocument(Sentences.Document(30, skip: skip), new ChunkingOptions { OverlapTokens = 8 }, "p");
            foreach (TextChunk chunk in document.Chunks)
            {
                Assert.True(embedder.Tokenizer.CountTokens(prompt + chunk.Text) <= 64, $"'{prompt}' + chunk {chunks} is over 64 tokens");
                chunks++;
            }
        }

        Assert.True(chunks > 20, $"only {chunks} chunks");
    }

    [Theory]
    [InlineData("。")]
    [InlineData("passage: ")]
    public void EncodeDocument_SmallestChunkSizeTheOptionsAllow_EmbedsEveryChunk(string prompt)
    {
        // MaxTokens leaves the 3 tokens a chunk needs beside the prompt; retrying with a smaller budget where the join
        // of prompt and chunk segments longer must not go under them.
        var options = new GlucoseEmbedderOptions();
        options.Prompts["p"] = prompt;
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, options);
        int maxTokens = embedder.Tokenizer.CountTokens(prompt) - 2 + 3;
        string text = string.Concat(Enumerable.Repeat("今日は晴れです。明日は雨でしょう。", 10));

        DocumentEmbedding document = embedder.EncodeDocument(text, new ChunkingOptions { MaxTokens = maxTokens, OverlapTokens = 0 }, "p");

        Assert.Equal(text, string.Concat(document.Chunks.Select(c => c.Text)));
        Assert.Equal(document.Chunks.Count, document.ChunkEmbeddings.Count);
    }

    [Fact]
    public void EncodeDocuments_UnpairedSurrogate_NamesTheTextNotTheChunk()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { MaxSequenceLength = 32 });

        var ex = Assert.Throws<ArgumentException>(() => embedder.EncodeDocuments([Sentences.Document(20), "bad\uD800"], new ChunkingOptions { OverlapTokens = 0 }));
        Assert.StartsWith("texts[1] holds an unpaired surrogate", ex.Message, StringComparison.Ordinal);
        Assert.Equal("text", Assert.Throws<ArgumentException>(() => embedder.EncodeDocument("bad\uD800")).ParamName);
    }
}
