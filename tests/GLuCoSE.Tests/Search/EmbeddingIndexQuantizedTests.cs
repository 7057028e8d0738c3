using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Search;

/// <summary>
/// What int8 and binary storage cost in recall@10 against exact float search, on the tiny model (32 dimensions, so
/// binary keeps only 32 bits: far worse than at GLuCoSE's 768). The numbers are written to the test output.
/// </summary>
public sealed class EmbeddingIndexQuantizedTests
{
    private const int Top = 10;

    [Fact]
    public void Search_OwnSentences_QuantizedRecallAboveFloors()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        float[][] corpus = embedder.Encode(Sentences.Take(2000));
        float[][] queries = embedder.Encode(Sentences.Take(200, skip: 2000));

        RecallReport report = Measure(corpus, queries);
        TestContext.Current.TestOutputHelper?.WriteLine($"own sentences (2000 corpus, 200 queries): {report}");

        Assert.True(report.Int8 >= 0.80, $"int8 recall@10 {report.Int8:F3}, expected >= 0.80");
        Assert.True(report.Int8Rescored >= report.Int8 - 0.02, $"int8 rescored {report.Int8Rescored:F3} vs {report.Int8:F3}");
        Assert.True(report.BinaryRescored > report.Binary, $"binary rescored {report.BinaryRescored:F3} should beat binary alone {report.Binary:F3}");

        // Far above chance (10 of 2000), far below exact: the 32-bit binary code of a random tiny model.
        Assert.InRange(report.Binary, 0.05, 0.99);
    }

    [Fact]
    public void Search_JstsSentences_QuantizedRecallAboveFloors()
    {
        string? jglue = TestPaths.JglueFixtures;
        Assert.SkipWhen(jglue is null, "../shared/fixtures/jglue is not beside this repository (set GLUCOSE_JGLUE_DIR to point at it).");
        string[] sentences = JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(jglue!, "jsts-valid-sentences.json")))!;

        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        float[][] all = embedder.Encode(sentences);
        float[][] queries = all.Where((_, i) => i % 10 == 0).ToArray();
        float[][] corpus = all.Where((_, i) => i % 10 != 0).ToArray();

        RecallReport report = Measure(corpus, queries);
        TestContext.Current.TestOutputHelper?.WriteLine($"JSTS valid sentences ({corpus.Length} corpus, {queries.Length} queries): {report}");

        Assert.True(report.Int8 >= 0.80, $"int8 recall@10 {report.Int8:F3}, expected >= 0.80");
        Assert.True(report.BinaryRescored > report.Binary, $"binary rescored {report.BinaryRescored:F3} should beat binary alone {report.Binary:F3}");
    }

    internal static RecallReport Measure(float[][] corpus, float[][] queries)
    {
        EmbeddingIndex exact = Build(corpus, EmbeddingQuantization.None, rescore: false);
        int[][] truth = exact.Search(queries, Top).Select(hits => hits.Select(h => h.Index).ToArray()).ToArray();
        return new RecallReport(
            Recall(Build(corpus, EmbeddingQuantization.Int8, rescore: false), queries, truth),
            Recall(Build(corpus, EmbeddingQuantization.Int8, rescore: true), queries, truth),
            Recall(Build(corpus, EmbeddingQuantization.Binary, rescore: false), queries, truth),
            Recall(Build(corpus, EmbeddingQuantization.Binary, rescore: true), queries, truth));
    }

    private static EmbeddingIndex Build(float[][] corpus, EmbeddingQuantization quantization, bool rescore)
    {
        var index = new EmbeddingIndex(corpus[0].Length, new EmbeddingIndexOptions { Quantization = quantization, Rescore = rescore });
        index.AddRange(corpus);
        return index;
    }

    private static double Recall(EmbeddingIndex index, float[][] queries, int[][] truth)
    {
        SearchHit[][] found = index.Search(queries, Top);
        double sum = 0;
        for (int q = 0; q < queries.Length; q++)
        {
            sum += found[q].Count(h => truth[q].Contains(h.Index)) / (double)truth[q].Length;
        }

        return sum / queries.Length;
    }

    internal sealed record RecallReport(double Int8, double Int8Rescored, double Binary, double BinaryRescored)
    {
        public override string ToString() =>
            $"recall@10 vs float: int8 {Int8:F3}, int8+rescore {Int8Rescored:F3}, binary {Binary:F3}, binary+rescore(x4) {BinaryRescored:F3}";
    }
}
