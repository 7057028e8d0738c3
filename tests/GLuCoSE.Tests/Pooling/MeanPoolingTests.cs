using System;
using GLuCoSE.Pooling;
using Xunit;

namespace GLuCoSE.Tests.Pooling;

/// <summary><see cref="MeanPooling"/>: sentence-transformers' pooling, on hand-made numbers.</summary>
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
}
