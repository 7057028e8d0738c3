using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace GLuCoSE;

public static partial class Similarity
{
    /// <summary>
    /// The cosine similarity of every vector in <paramref name="rows"/> with every vector in <paramref name="columns"/>,
    /// like sentence-transformers' <c>util.cos_sim(a, b)</c>.
    /// </summary>
    /// <returns><c>result[i][j]</c> = cosine(<paramref name="rows"/>[i], <paramref name="columns"/>[j]); 0 where either vector is all zeros.</returns>
    /// <exception cref="ArgumentNullException">An argument or one of its vectors is null.</exception>
    /// <exception cref="ArgumentException">The vectors are empty or differ in length.</exception>
    public static float[][] CosineMatrix(IReadOnlyList<float[]> rows, IReadOnlyList<float[]> columns)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(columns);
        int width = CommonLength(rows, columns);
        float[] left = NormalizedCopy(rows, width, nameof(rows));
        float[] right = ReferenceEquals(rows, columns) ? left : NormalizedCopy(columns, width, nameof(columns));
        var result = new float[rows.Count][];
        for (int i = 0; i < result.Length; i++)
        {
            ReadOnlySpan<float> row = left.AsSpan(i * width, width);
            var line = new float[columns.Count];
            for (int j = 0; j < line.Length; j++)
            {
                line[j] = TensorPrimitives.Dot(row, right.AsSpan(j * width, width));
            }

            result[i] = line;
        }

        return result;
    }

    /// <summary>
    /// The cosine similarity of every pair of <paramref name="vectors"/>: a symmetric matrix with ones on the diagonal
    /// (0 for an all-zero vector, as <see cref="Cosine"/> gives).
    /// </summary>
    /// <returns><c>result[i][j]</c> = cosine(<paramref name="vectors"/>[i], <paramref name="vectors"/>[j]).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="vectors"/> or one of its vectors is null.</exception>
    /// <exception cref="ArgumentException">The vectors are empty or differ in length.</exception>
    public static float[][] CosineMatrix(IReadOnlyList<float[]> vectors) => CosineMatrix(vectors, vectors);

    private static int CommonLength(IReadOnlyList<float[]> rows, IReadOnlyList<float[]> columns)
    {
        (IReadOnlyList<float[]> first, string name) = rows.Count > 0 ? (rows, nameof(rows)) : (columns, nameof(columns));
        if (first.Count == 0)
        {
            return 1;
        }

        int width = first[0]?.Length ?? throw new ArgumentNullException(name, $"{name}[0] is null.");
        if (width == 0)
        {
            throw new ArgumentException("The vectors are empty.", name);
        }

        return width;
    }

    private static float[] NormalizedCopy(IReadOnlyList<float[]> vectors, int width, string name)
    {
        var copy = new float[vectors.Count * width];
        for (int i = 0; i < vectors.Count; i++)
        {
            float[] vector = vectors[i] ?? throw new ArgumentNullException(name, $"{name}[{i}] is null.");
            if (vector.Length != width)
            {
                throw new ArgumentException($"{name}[{i}] has {vector.Length} components; expected {width} like the first vector.", name);
            }

            // Divided by its largest magnitude first, so that the squares of the norm neither overflow nor underflow.
            Span<float> target = copy.AsSpan(i * width, width);
            float largest = MathF.Abs(TensorPrimitives.MaxMagnitude(vector));
            if (largest > 0)
            {
                TensorPrimitives.Divide(vector, largest, target);
                TensorPrimitives.Divide(target, TensorPrimitives.Norm(target), target);
            }
        }

        return copy;
    }
}
