using System;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary><see cref="Similarity"/>: the cosine of two vectors and the matrices, with one rule for all-zero vectors.</summary>
public sealed class SimilarityTests
{
    [Fact]
    public void CosineMatrix_TwoSets_EqualsPairwiseCosine()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        float[][] a = embedder.Encode(Sentences.Take(4));
        float[][] b = embedder.Encode(Sentences.Take(3, skip: 50));

        float[][] matrix = Similarity.CosineMatrix(a, b);

        Assert.Equal(4, matrix.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(3, matrix[i].Length);
            for (int j = 0; j < b.Length; j++)
            {
                Assert.Equal(Similarity.Cosine(a[i], b[j]), matrix[i][j], 1e-6f);
            }
        }
    }

    [Fact]
    public void CosineMatrix_OneSet_SymmetricWithUnitDiagonal()
    {
        float[][] vectors = [[1f, 0f], [1f, 1f], [0f, -2f]];

        float[][] matrix = Similarity.CosineMatrix(vectors);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(1f, matrix[i][i], 1e-6f);
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(matrix[i][j], matrix[j][i]);
            }
        }

        Assert.Equal(MathF.Sqrt(0.5f), matrix[0][1], 1e-6f);
        Assert.Equal(0f, matrix[0][2], 1e-6f);
    }

    [Fact]
    public void CosineMatrix_BadInput_ThrowsNamingTheVector()
    {
        var ex = Assert.Throws<ArgumentException>(() => Similarity.CosineMatrix([[1f, 0f]], [[1f, 0f], [1f, 0f, 0f]]));

        Assert.Contains("columns[1] has 3 components; expected 2", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => Similarity.CosineMatrix([[1f], null!]));
        Assert.Throws<ArgumentNullException>(() => Similarity.CosineMatrix(null!, []));
    }

    [Fact]
    public void CosineMatrix_NullVector_ThrowsArgumentNullWhereverItIs()
    {
        Assert.Equal("rows", Assert.Throws<ArgumentNullException>(() => Similarity.CosineMatrix([null!, [1f]], [[1f]])).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentNullException>(() => Similarity.CosineMatrix([[1f], null!], [[1f]])).ParamName);
        Assert.Equal("columns", Assert.Throws<ArgumentNullException>(() => Similarity.CosineMatrix([], [null!])).ParamName);
        Assert.Throws<ArgumentNullException>(() => Similarity.CosineMatrix([null!]));
    }

    [Fact]
    public void Cosine_DifferentLengths_ThrowsNamingBothLengths()
    {
        var ex = Assert.Throws<ArgumentException>(() => Similarity.Cosine(new float[3], new float[4]));

        Assert.Contains("3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cosine_EmptyVectors_Throws()
    {
        Assert.Throws<ArgumentException>(() => Similarity.Cosine([], []));
    }

    [Theory]
    [InlineData(new[] { 0f, 0f, 0f }, new[] { 1f, 2f, 3f })]
    [InlineData(new[] { 1f, 2f, 3f }, new[] { 0f, 0f, 0f })]
    [InlineData(new[] { 0f, 0f, 0f }, new[] { 0f, 0f, 0f })]
    public void Cosine_AllZeroVector_ReturnsZeroNotNaN(float[] a, float[] b)
    {
        Assert.Equal(0f, Similarity.Cosine(a, b));
    }

    [Theory]
    [InlineData(1e20f)]
    [InlineData(1e-25f)]
    public void CosineAndMatrix_VectorsWhoseSquaresOverflowOrUnderflow_ScoreByDirection(float scale)
    {
        // Squares of such components overflow to infinity or underflow to 0 in float; the direction is what counts.
        float[] a = [3 * scale, 4 * scale, 0];
        float[] b = [4 * scale, 3 * scale, 0];
        float[] unit = [1, 0, 0];
        float[] along = [scale, 0, 0];

        Assert.Equal(1f, Similarity.Cosine(a, a), 1e-6f);
        Assert.Equal(0.96f, Similarity.Cosine(a, b), 1e-6f);
        Assert.Equal(1f, Similarity.Cosine(along, unit), 1e-6f);
        float[][] matrix = Similarity.CosineMatrix([a, b, along], [a, unit]);
        Assert.Equal(1f, matrix[0][0], 1e-6f);
        Assert.Equal(0.96f, matrix[1][0], 1e-6f);
        Assert.Equal(1f, matrix[2][1], 1e-6f);
    }

    [Fact]
    public void CosineMatrix_AllZeroVector_AgreesWithCosineOnZero()
    {
        float[][] rows = [[0f, 0f], [3f, 4f]];
        float[][] columns = [[1f, 0f], [0f, 0f]];

        float[][] matrix = Similarity.CosineMatrix(rows, columns);
        float[][] square = Similarity.CosineMatrix(rows);

        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < columns.Length; j++)
            {
                Assert.Equal(Similarity.Cosine(rows[i], columns[j]), matrix[i][j], 1e-6f);
            }

            for (int j = 0; j < rows.Length; j++)
            {
                Assert.Equal(Similarity.Cosine(rows[i], rows[j]), square[i][j], 1e-6f);
            }
        }

        Assert.Equal([0f, 0f], matrix[0]);
        Assert.Equal(0f, matrix[1][1]);
        Assert.Equal(0.6f, matrix[1][0], 1e-6f);
        Assert.Equal(0f, square[0][0]);
        Assert.Equal(1f, square[1][1], 1e-6f);
    }
}
