using System;
using GLuCoSE.Engine;
using Xunit;

namespace GLuCoSE.Tests.Engine;

/// <summary><see cref="EnginePolicy.From"/>: the options' nulls resolved to each provider's defaults, set values kept.</summary>
public sealed class EnginePolicyTests
{
    [Fact]
    public void From_DefaultOptions_UsesTheCpuDefaults()
    {
        EnginePolicy policy = EnginePolicy.From(new GlucoseEmbedderOptions());

        Assert.Equal(128, policy.BatchSize);
        Assert.Equal(1024, policy.MaxBatchTokens);
        Assert.Equal(TimeSpan.FromMilliseconds(5), policy.MicroBatchWait);
        Assert.True(policy.Lanes);
    }

    [Fact]
    public void From_BatchingLeftUnsetOnCuda_UsesTheCudaDefaults()
    {
        // The CUDA provider cannot load here; the defaults are the policy's own resolution, which the engine uses as is.
        EnginePolicy cuda = EnginePolicy.From(new GlucoseEmbedderOptions { ExecutionProvider = GlucoseExecutionProvider.Cuda });

        Assert.Equal(32, cuda.BatchSize);
        Assert.Equal(4096, cuda.MaxBatchTokens);
        Assert.NotEqual(cuda.MaxBatchTokens, EnginePolicy.From(new GlucoseEmbedderOptions()).MaxBatchTokens);
    }

    [Fact]
    public void From_ValuesSet_KeepsThem()
    {
        var options = new GlucoseEmbedderOptions
        {
            BatchSize = 7,
            Performance = { MaxBatchTokens = 99, MicroBatchWait = TimeSpan.Zero, ParallelRuns = false },
        };

        EnginePolicy policy = EnginePolicy.From(options);

        Assert.Equal((7, 99, TimeSpan.Zero, false), (policy.BatchSize, policy.MaxBatchTokens, policy.MicroBatchWait, policy.Lanes));
    }

    [Theory]
    [InlineData(1, 4096)]
    [InlineData(128, 4096)]
    [InlineData(1000, 32_000)]
    public void WindowSize_BatchSize_IsThirtyTwoBatchesButAtLeast4096Texts(int batchSize, int expected)
    {
        Assert.Equal(expected, EnginePolicy.From(new GlucoseEmbedderOptions { BatchSize = batchSize }).WindowSize);
    }
}
