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
        return float.IsNaN(cosine) && (TensorPrimitives.Norm(a) == 0 || TensorPrimitives.Norm(b) == 0) ? 0 : cosine;
    }
}
