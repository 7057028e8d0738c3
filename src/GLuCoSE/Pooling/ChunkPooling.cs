using System;
using System.Numerics.Tensors;

namespace GLuCoSE.Pooling;

/// <summary>Pools the embeddings of a long text's chunks into one for the whole text.</summary>
internal static class ChunkPooling
{
    /// <summary>
    /// The mean of <paramref name="embeddings"/> weighted by each chunk's token count (<paramref name="tokenCounts"/>),
    /// so that the result is the mean over all chunk tokens, as mean pooling is over tokens; a single chunk gets a copy
    /// of its own embedding.
    /// </summary>
    public static float[] Pool(float[][] embeddings, ReadOnlySpan<int> tokenCounts, bool normalize)
    {
        if (embeddings.Length == 1)
        {
            return (float[])embeddings[0].Clone();
        }

        var pooled = new float[embeddings[0].Length];
        float total = 0;
        for (int c = 0; c < embeddings.Length; c++)
        {
            float weight = tokenCounts[c];
            TensorPrimitives.MultiplyAdd(embeddings[c], weight, pooled, pooled);
            total += weight;
        }

        TensorPrimitives.Divide(pooled, total, pooled);
        if (normalize)
        {
            MeanPooling.Normalize(pooled);
        }

        return pooled;
    }
}
