using System;
using System.Collections.Generic;
using System.Linq;
using GLuCoSE.Search;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Search;

/// <summary><see cref="EmbeddingIndex"/> against brute-force cosine.</summary>
public sealed class EmbeddingIndexTests
{
    private static readonly Lazy<(float[][] Corpus, float[][] Queries)> Data = new(() =>
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        return (embedder.Encode(Sentences.Take(300)), embedder.Encode(Sentences.Take(20, skip: 1000)));
    });

    [Fact]
    public void Search_FloatIndex_EqualsBruteForceCosineTopK()
    {
        (float[][] corpus, float[][] queries) = Data.Value;
        var index = new EmbeddingIndex(32);
        index.AddRange(corpus);

        foreach (float[] query in queries)
        {
            SearchHit[] hits = index.Search(query, top: 10);

            SearchHit[] expected = corpus
                .Select((row, i) => new SearchHit(i, Similarity.Cosine(query, row)))
                .OrderByDescending(h => h.Score).ThenBy(h => h.Index).Take(10).ToArray();
            Assert.Equal(expected.Select(h => h.Index), hits.Select(h => h.Index));
            for (int i = 0; i < hits.Length; i++)
            {
                Assert.Equal(expected[i].Score, hits[i].Score, 1e-5f);
            }
        }
    }

    [Theory]
    [InlineData(EmbeddingQuantization.None)]
    [InlineData(EmbeddingQuantization.Int8)]
    [InlineData(EmbeddingQuantization.Binary)]
    public void Search_ManyQueries_EqualOneByOne(EmbeddingQuantization quantization)
    {
        (float[][] corpus, float[][] queries) = Data.Value;
        var index = new EmbeddingIndex(32, new EmbeddingIndexOptions { Quantization = quantization });
        index.AddRange(corpus);

        SearchHit[][] batched = index.Search(queries, top: 5);

        Assert.Equal(queries.Length, batched.Length);
        for (int q = 0; q < queries.Length; q++)
        {
            Assert.Equal(index.Search(queries[q], top: 5), batched[q]);
        }
    }

    [Fact]
    public void Search_Int8_ScoresWithinOnePercentOfCosine()
    {
        (float[][] corpus, float[][] queries) = Data.Value;
        var index = new EmbeddingIndex(32, new EmbeddingIndexOptions { Quantization = EmbeddingQuantization.Int8 });
        index.AddRange(corpus);

        foreach (float[] query in queries)
        {
            foreach (SearchHit hit in index.Search(query, top: 10))
            {
                Assert.Equal(Similarity.Cosine(query, corpus[hit.Index]), hit.Score, 0.01f);
            }
        }
    }

    [Fact]
    public void Search_QueryInCorpus_FindsItselfFirstInEveryStorage()
    {
        (float[][] corpus, _) = Data.Value;
        foreach (EmbeddingQuantization quantization in Enum.GetValues<EmbeddingQuantization>())
        {
            var index = new EmbeddingIndex(32, new EmbeddingIndexOptions { Quantization = quantization });
            index.AddRange(corpus);

            // Scaling does not matter for cosine.
            float[] query = corpus[123].Select(x => x * 3f).ToArray();
            SearchHit best = index.Search(query, top: 1)[0];

            Assert.Equal(123, best.Index);
        }
    }

    [Fact]
    public void Search_TopOverCountOrZero_ReturnsAllOrNothing()
    {
        var index = new EmbeddingIndex(3);
        index.Add([1f, 0f, 0f]);
        index.Add([0f, 1f, 0f]);
        index.Add([1f, 1f, 0f]);

        SearchHit[] all = index.Search([1f, 0.1f, 0f], top: 50);

        Assert.Equal([0, 2, 1], all.Select(h => h.Index));
        Assert.Empty(index.Search([1f, 0f, 0f], top: 0));
        Assert.Empty(new EmbeddingIndex(3).Search([1f, 0f, 0f]));
    }

    [Fact]
    public void StorageBytes_Quantized_QuarterAndThirtySecond()
    {
        (float[][] corpus, _) = Data.Value;
        var sizes = new Dictionary<EmbeddingQuantization, long>();
        foreach (EmbeddingQuantization quantization in Enum.GetValues<EmbeddingQuantization>())
        {
            var index = new EmbeddingIndex(32, new EmbeddingIndexOptions { Quantization = quantization });
            index.AddRange(corpus);
            sizes[quantization] = index.StorageBytes;
            Assert.Equal(corpus.Length, index.Count);
        }

        Assert.Equal(300L * 32 * 4, sizes[EmbeddingQuantization.None]);
        Assert.Equal(300L * (32 + 4), sizes[EmbeddingQuantization.Int8]);
        Assert.Equal(300L * 8, sizes[EmbeddingQuantization.Binary]);
    }

    [Fact]
    public void Add_WrongLength_ThrowsNamingBothLengths()
    {
        var index = new EmbeddingIndex(32);

        var ex = Assert.Throws<ArgumentException>(() => index.Add(new float[768]));

        Assert.Contains("768", ex.Message, StringComparison.Ordinal);
        Assert.Contains("32-dimensional", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => index.Search(new float[16]));
        Assert.Throws<ArgumentNullException>(() => index.AddRange([new float[32], null!]));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new float[32], top: -1));
    }

    [Theory]
    [InlineData(EmbeddingQuantization.None)]
    [InlineData(EmbeddingQuantization.Int8)]
    [InlineData(EmbeddingQuantization.Binary)]
    public void AddRange_BadEmbeddingAmongGoodOnes_AddsNone(EmbeddingQuantization quantization)
    {
        var index = new EmbeddingIndex(3, new EmbeddingIndexOptions { Quantization = quantization });
        index.Add([1, 0, 0]);

        Assert.Throws<ArgumentException>(() => index.AddRange([[0, 1, 0], [0, 0], [0, 0, 1]]));
        Assert.Throws<ArgumentException>(() => index.AddRange([[0, 1, 0], [float.NaN, 0, 0]]));
        Assert.Throws<ArgumentNullException>(() => index.AddRange([[0, 1, 0], null!]));

        // The rows the caller numbered from the returned index stay in step with its own list.
        Assert.Equal(1, index.Count);
        Assert.Equal(1, index.AddRange([[0, 1, 0], [0, 0, 1]]));
        Assert.Equal([2, 0, 1], index.Search([0, 0, 1], top: 3).Select(h => h.Index));
    }

    [Fact]
    public void Create_BadOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingIndex(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingIndex(8, new EmbeddingIndexOptions { RescoreMultiplier = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingIndex(8, new EmbeddingIndexOptions { Quantization = (EmbeddingQuantization)7 }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(768)]
    [InlineData(1000)]
    public void Int8Dot_RandomCodes_EqualsScalarSum(int length)
    {
        var random = new Random(length);
        var a = new sbyte[length];
        var b = new sbyte[length];
        for (int i = 0; i < length; i++)
        {
            a[i] = (sbyte)random.Next(-127, 128);
            b[i] = (sbyte)random.Next(-127, 128);
        }

        int expected = 0;
        for (int i = 0; i < length; i++)
        {
            expected += a[i] * b[i];
        }

        Assert.Equal(expected, Int8Dot.Compute(a, b));
        Assert.Equal(127 * 127 * length, Int8Dot.Compute(Enumerable.Repeat((sbyte)127, length).ToArray(), Enumerable.Repeat((sbyte)127, length).ToArray()));
    }

    [Fact]
    public void Search_EqualScoresAtTheCut_KeepTheLowerRow()
    {
        // Duplicate rows score alike; the documented order is by row, also where the cut falls between them.
        var index = new EmbeddingIndex(2);
        index.Add([1f, 0f]);
        index.Add([1f, 0f]);
        index.Add([0f, 1f]);
        index.Add([1f, 0f]);

        Assert.Equal([2, 0], index.Search([0f, 1f], top: 2).Select(h => h.Index));
        Assert.Equal([2, 0, 1], index.Search([0f, 1f], top: 3).Select(h => h.Index));
    }

    [Theory]
    [InlineData(EmbeddingQuantization.None)]
    [InlineData(EmbeddingQuantization.Int8)]
    [InlineData(EmbeddingQuantization.Binary)]
    public void AddAndSearch_NaNOrInfiniteComponent_Throw(EmbeddingQuantization quantization)
    {
        var index = new EmbeddingIndex(4, new EmbeddingIndexOptions { Quantization = quantization });
        index.Add([1f, 0f, 0f, 0f]);

        Assert.Equal("embedding", Assert.Throws<ArgumentException>(() => index.Add([50f, float.NaN, 0f, 0f])).ParamName);
        Assert.Throws<ArgumentException>(() => index.Add([float.PositiveInfinity, 0f, 0f, 0f]));
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => index.Search([float.NaN, 0f, 0f, 0f])).ParamName);
        Assert.Equal(1, index.Count);
    }

    [Theory]
    [InlineData(1e20f)]
    [InlineData(1e-25f)]
    public void Search_QueryOfAnyScale_ScoresLikeItsUnitVector(float scale)
    {
        var index = new EmbeddingIndex(2);
        index.Add([3f, 4f]);

        SearchHit hit = Assert.Single(index.Search([3f * scale, 4f * scale], top: 1));

        Assert.Equal(1f, hit.Score, 1e-6f);
    }
}
