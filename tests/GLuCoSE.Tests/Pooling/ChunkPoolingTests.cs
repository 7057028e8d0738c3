using GLuCoSE.Pooling;
using Xunit;

namespace GLuCoSE.Tests.Pooling;

/// <summary><see cref="ChunkPooling"/>: a long text's embedding from its chunks', on hand-made numbers.</summary>
public sealed class ChunkPoolingTests
{
    [Fact]
    public void Pool_ChunksOfDifferentSizes_WeighsEachByItsTokens()
    {
        float[][] embeddings = [[4f, 0f], [0f, 4f]];

        float[] pooled = ChunkPooling.Pool(embeddings, [3, 1], normalize: false);

        Assert.Equal([3f, 1f], pooled);
    }

    [Fact]
    public void Pool_Normalize_ReturnsUnitLength()
    {
        float[][] embeddings = [[4f, 0f], [0f, 4f]];

        float[] pooled = ChunkPooling.Pool(embeddings, [1, 1], normalize: true);

        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(pooled), 5);
        Assert.Equal(pooled[0], pooled[1]);
    }

    [Fact]
    public void Pool_OneChunk_ReturnsACopyOfItsEmbedding()
    {
        float[][] embeddings = [[1f, 2f]];

        float[] pooled = ChunkPooling.Pool(embeddings, [5], normalize: false);

        Assert.Equal(embeddings[0], pooled);
        Assert.NotSame(embeddings[0], pooled);
    }
}
