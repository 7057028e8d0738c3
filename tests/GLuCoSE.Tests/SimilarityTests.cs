using System;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary><see cref="Similarity.CosineMatrix(System.Collections.Generic.IReadOnlyList{float[]}, System.Collections.Generic.IReadOnlyList{float[]})"/>.</summary>
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
}
