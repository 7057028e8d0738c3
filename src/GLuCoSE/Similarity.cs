using System;
using System.Numerics.Tensors;

namespace GLuCoSE;

/// <summary>Similarity between embeddings.</summary>
/// <remarks>One rule for all-zero vectors across the class: their cosine with any vector is 0.</remarks>
public static partial class Similarity
{
    /// <summary>The cosine of the angle between two vectors of the same length (SIMD, <see cref="TensorPrimitives"/>).</summary>
    /// <returns>A value in [-1, 1]; 0 when either vector is all zeros.</returns>
    /// <exception cref="ArgumentException">The vectors are empty or differ in length.</exception>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"The vectors differ in length: {a.Length} and {b.Length}.", nameof(b));
        }

        if (a.IsEmpty)
        {
            throw new ArgumentException("The vectors are empty.", nameof(a));
        }

        float cosine = TensorPrimitives.CosineSimilarity(a, b);
        if (float.IsFinite(cosine) && cosine != 0)
        {
            return cosine;
        }

        // NaN, infinity or 0 also come from squares that overflow to infinity or underflow to 0 in float: computed again
        // on copies whose largest component is 1 (as EmbeddingIndex scales rows), where only an all-zero vector gives 0.
        float largestA = MathF.Abs(TensorPrimitives.MaxMagnitude(a));
        float largestB = MathF.Abs(TensorPrimitives.MaxMagnitude(b));
        if (largestA == 0 || largestB == 0)
        {
            return 0;
        }

        var scaledA = new float[a.Length];
        var scaledB = new float[b.Length];
        TensorPrimitives.Divide(a, largestA, scaledA);
        TensorPrimitives.Divide(b, largestB, scaledB);
        return TensorPrimitives.CosineSimilarity(scaledA, scaledB);
    }
}
