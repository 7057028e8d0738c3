using System;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary><see cref="GlucoseEmbedderOptions"/> and <see cref="GlucosePerformanceOptions"/>: null is the default, and every value out of range names itself.</summary>
public sealed class GlucoseEmbedderOptionsTests
{
    public static TheoryData<string> OutOfRange() =>
    [
        "BatchSize",
        "MaxSequenceLength",
        "IntraOpNumThreads",
        "Performance.MaxBatchTokens",
        "Performance.MicroBatchWait",
    ];

    [Fact]
    public void Constructor_NothingSet_EveryDefaultIsNull()
    {
        var options = new GlucoseEmbedderOptions();

        Assert.Null(options.MaxSequenceLength);
        Assert.Null(options.BatchSize);
        Assert.Null(options.IntraOpNumThreads);
        Assert.Null(options.ModelFileName);
        Assert.Null(options.DefaultPromptName);
        Assert.Null(options.ModelId);
        Assert.Null(options.Performance.MaxBatchTokens);
        Assert.Null(options.Performance.MicroBatchWait);
        Assert.Null(options.Performance.OptimizedModelCacheDirectory);
        Assert.True(options.Performance.ParallelRuns);
        Assert.False(options.NormalizeEmbeddings);
        Assert.Equal(GlucoseExecutionProvider.Cpu, options.ExecutionProvider);
        Assert.Empty(options.Prompts);
    }

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Create_OptionOutOfRange_ThrowsArgumentOutOfRangeNamingTheOption(string option)
    {
        GlucoseEmbedderOptions options = option switch
        {
            "BatchSize" => new() { BatchSize = 0 },
            "MaxSequenceLength" => new() { MaxSequenceLength = 1 },
            "IntraOpNumThreads" => new() { IntraOpNumThreads = 0 },
            "Performance.MaxBatchTokens" => new() { Performance = { MaxBatchTokens = 0 } },
            "Performance.MicroBatchWait" => new() { Performance = { MicroBatchWait = TimeSpan.FromSeconds(2) } },
            _ => throw new ArgumentOutOfRangeException(nameof(option)),
        };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => GlucoseEmbedder.Create(TestPaths.TinyModel, options));

        Assert.Equal("options", ex.ParamName);
        Assert.StartsWith(option + " must be null", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Create_MicroBatchWaitOutsideZeroToOneSecond_ThrowsArgumentOutOfRange(int milliseconds)
    {
        var options = new GlucoseEmbedderOptions { Performance = { MicroBatchWait = TimeSpan.FromMilliseconds(milliseconds) } };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => GlucoseEmbedder.Create(TestPaths.TinyModel, options));

        Assert.Contains("between zero and one second", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public void Create_MicroBatchWaitAtTheBounds_IsAccepted(int milliseconds)
    {
        var options = new GlucoseEmbedderOptions { Performance = { MicroBatchWait = TimeSpan.FromMilliseconds(milliseconds) } };

        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, options);

        Assert.Equal(32, embedder.Encode("テスト").Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Create_BlankModelFileName_ThrowsArgumentNamingTheOption(string fileName)
    {
        var ex = Assert.Throws<ArgumentException>(() => GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { ModelFileName = fileName }));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains("ModelFileName", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownExecutionProvider_ThrowsArgumentOutOfRange()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(
            () => GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { ExecutionProvider = (GlucoseExecutionProvider)7 }));

        Assert.Contains("Cpu or Cuda", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NullOptionsAndDefaultOptions_GiveTheSameEmbeddings()
    {
        using GlucoseEmbedder withNull = GlucoseEmbedder.Create(TestPaths.TinyModel, null);
        using GlucoseEmbedder withDefaults = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions());

        Assert.Equal(withDefaults.Encode(Sentences.Take(5)), withNull.Encode(Sentences.Take(5)));
        Assert.Equal(withDefaults.MaxSequenceLength, withNull.MaxSequenceLength);
    }

    [Fact]
    public void Create_OptionsChangedAfterwards_EmbedderKeepsItsCopy()
    {
        var options = new GlucoseEmbedderOptions { MaxSequenceLength = 16 };
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, options);

        options.MaxSequenceLength = 1;
        options.Performance.MaxBatchTokens = 0;

        Assert.Equal(16, embedder.MaxSequenceLength);
        Assert.Equal(32, embedder.Encode(Sentences.Take(3))[2].Length);
    }
}
