using System;
using System.Diagnostics;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>
/// The only wall-clock checks: a 10 MB text must not be segmented whole before truncation (it would take tens of
/// seconds). They run serialized with the other timing-sensitive tests, with ten times the margin measured on a
/// 2-core machine (about 0.5 s), so that a loaded machine does not miss them.
/// </summary>
[Collection(nameof(TimingSensitiveTests))]
public sealed class GlucoseEmbedderTimingTests
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("uni32k")]
    [InlineData("bpe8k")]
    [InlineData("uni8kbf")]
    public void EncodeToIds_TenMegabyteText_TruncatesWithinTenTimesTheMeasuredTime(string model)
    {
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(TestPaths.TestData($"{model}.model"));
        string text = GlucoseEmbedderHostileInputTests.TenMegabytes();
        tokenizer.EncodeToIds("warm-up", 512);

        var clock = Stopwatch.StartNew();
        int[] truncated = tokenizer.EncodeToIds(text, 512);
        TimeSpan elapsed = clock.Elapsed;

        Assert.Equal(512, truncated.Length);
        Assert.True(elapsed < Margin, $"truncating a 10 MB text took {elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void Encode_TenMegabyteText_EmbedsWithinTenTimesTheMeasuredTime()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        string text = GlucoseEmbedderHostileInputTests.TenMegabytes();
        embedder.Encode("warm-up");

        var clock = Stopwatch.StartNew();
        float[] embedding = embedder.Encode(text);
        TimeSpan elapsed = clock.Elapsed;

        Assert.Equal(32, embedding.Length);
        Assert.True(elapsed < Margin, $"embedding a 10 MB text took {elapsed.TotalMilliseconds:F0} ms");
    }
}
