using System;
using System.Numerics.Tensors;

namespace GLuCoSE.Pooling;

/// <summary>sentence-transformers' mean pooling and L2 normalization, with <see cref="TensorPrimitives"/>.</summary>
internal static class MeanPooling
{
    /// <summary>
    /// Averages the first <paramref name="tokenCount"/> token vectors of <paramref name="tokenStates"/> (row-major,
    /// <paramref name="destination"/>.Length wide) into <paramref name="destination"/>: the attention mask of a
    /// right-padded sequence is <paramref name="tokenCount"/> ones, then zeros.
    /// </summary>
    public static void Pool(ReadOnlySpan<float> tokenStates, int tokenCount, Span<float> destination)
    {
        int width = destination.Length;
        destination.Clear();
        for (int t = 0; t < tokenCount; t++)
        {
            TensorPrimitives.Add(destination, tokenStates.Slice(t * width, width), destination);
        }

        // sum / clamp(mask sum, min=1e-9), as sentence-transformers divides.
        TensorPrimitives.Divide(destination, Math.Max(tokenCount, 1e-9f), destination);
    }

    /// <summary>Scales <paramref name="vector"/> to unit length: v / max(||v||, 1e-12), as torch's F.normalize.</summary>
    public static void Normalize(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Divide(vector, Math.Max(norm, 1e-12f), vector);
    }
}
