using System;
using GLuCoSE.Pooling;
using Xunit;

namespace GLuCoSE.Tests.Pooling;

/// <summary><see cref="MeanPooling"/> and <see cref="ChunkPooling"/>: sentence-transformers' pooling, on hand-made numbers.</summary>
public sealed class MeanPoolingTests
{
    [Fact]
    public void Pool_TokensBeyondTheCount_AreIgnored()
    {
        // Three tokens of width 2; the third is padding.
        float[] states = [1f, 2f, 3f, 6f, 100f, 100f];
        var pooled = new float[2];

        MeanPooling.Pool(states, tokenCount: 2, pooled);

        Assert.Equal([2f, 4f], pooled);
    }

    [Fact]
    public void Normalize_Vector_HasUnitLength()
    {
        float[] vector = [3f, 4f];

        MeanPooling.Normalize(vector);

        Assert.Equal([0.6f, 0.8f], vector);
    }

    [Fact]
    public void Normalize_AllZeroVector_StaysZero()
    {
        float[] vector = [0f, 0f, 0f];

        MeanPooling.Normalize(vector);

        Assert.Equal([0f, 0f, 0f], vector);
    }

    [Fact]
    public void ChunkPooling_ChunksOfDifferentSizes_WeighsEachByItsTokens()
    {
        TextChunk[] chunks = [new("a", 0, 3), new("b", 1, 1)];
        float[][] embeddings = [[4f, 0f], [0f, 4f]];

        float[] pooled = ChunkPooling.Pool(chunks, embeddings, normalize: false);

        Assert.Equal([3f, 1f], pooled);
    }

    [Fact]
    public void ChunkPooling_OneChunk_ReturnsACopyOfItsEmbedding()
    {
        float[][] embeddings = [[1f, 2f]];

        float[] pooled = ChunkPooling.Pool([new TextChunk("a", 0, 5)], embeddings, normalize: false);

        Assert.Equal(embeddings[0], pooled);
        Assert.NotSame(embeddings[0], pooled);
    }
}
