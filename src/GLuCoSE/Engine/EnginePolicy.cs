using System;

namespace GLuCoSE.Engine;

/// <summary>
/// Every tuning constant of the encoding engine, in one place: the batch limits (resolved from the options and the
/// execution provider), the micro-batch wait, and when the two lanes pay. The measurements behind each value are in
/// docs/performance.md; tests and benchmarks make variants with <c>with</c>.
/// </summary>
internal sealed record EnginePolicy
{
    /// <summary>The most tokens per text when neither the options nor the model folder say.</summary>
    public const int DefaultMaxSequenceLength = 512;

    /// <summary>The model file loaded when <see cref="GlucoseEmbedderOptions.ModelFileName"/> is null.</summary>
    public const string DefaultModelFileName = Model.ModelFolder.DefaultGraphFileName;

    private const int CpuBatchSize = 128;
    private const int CpuMaxBatchTokens = 1024;

    // The CUDA defaults are sentence-transformers' batch size and the earlier CPU budget, kept until a GPU measures
    // better ones: runs of 1,024 tokens would leave a GPU mostly idle.
    private const int CudaBatchSize = 32;
    private const int CudaMaxBatchTokens = 4096;

    private static readonly TimeSpan DefaultMicroBatchWait = TimeSpan.FromMilliseconds(5);

    /// <summary>Gets the most texts per model run (bulk batches and micro-batch rounds).</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets the most padded tokens (texts × longest) per model run; a single longer text still runs alone.</summary>
    public required int MaxBatchTokens { get; init; }

    /// <summary>Gets how long after a micro-batch round a new leader may wait for that round's callers to come back.</summary>
    public required TimeSpan MicroBatchWait { get; init; }

    /// <summary>Gets whether batches may run as two halves at once on the lanes (CPU, two or more threads).</summary>
    public required bool Lanes { get; init; }

    /// <summary>
    /// Gets how many times as long a run takes on half the intra-op threads as on all of them, for micro-batch shapes
    /// (the low end of what was measured, so a micro-batch goes to the lanes only when they split it evenly).
    /// </summary>
    public double HalfThreadsSlowdown { get; init; } = 1.8;

    /// <summary>Gets the fewest texts a micro-batch round needs to go to the lanes (where their gain was measured).</summary>
    public int MinLaneTexts { get; init; } = 8;

    /// <summary>Gets the fewest padded tokens a bulk batch needs to be split between the lanes (smaller halves gain nothing).</summary>
    public int MinLaneBatchTokens { get; init; } = 512;

    /// <summary>Gets the most padded tokens per lane when a bulk batch is split (larger runs are as fast on all threads).</summary>
    public int MaxLaneRunTokens { get; init; } = 1024;

    /// <summary>
    /// Gets a model run's fixed cost in tokens of compute: each run streams every weight from memory once (fitted on the
    /// CPU; docs/performance.md). Micro-batches of unrelated texts are split where padding would cost more than another run.
    /// </summary>
    public int RunOverheadTokens { get; init; } = 16;

    /// <summary>Gets the least share of the weights the two lanes' sessions must share to be worth their memory.</summary>
    public double MinSharedWeightsFraction { get; init; } = 0.9;

    /// <summary>
    /// Gets how many texts a bulk call tokenizes and sorts at once: memory beyond the results is bounded by this window,
    /// not by the corpus.
    /// </summary>
    public int WindowSize => (int)Math.Clamp(32L * BatchSize, 4096, int.MaxValue);

    /// <summary>Resolves the options' nulls to this policy's defaults for their execution provider.</summary>
    public static EnginePolicy From(GlucoseEmbedderOptions options)
    {
        bool cuda = options.ExecutionProvider == GlucoseExecutionProvider.Cuda;
        GlucosePerformanceOptions performance = options.Performance;
        return new EnginePolicy
        {
            BatchSize = options.BatchSize ?? (cuda ? CudaBatchSize : CpuBatchSize),
            MaxBatchTokens = performance.MaxBatchTokens ?? (cuda ? CudaMaxBatchTokens : CpuMaxBatchTokens),
            MicroBatchWait = performance.MicroBatchWait ?? DefaultMicroBatchWait,
            Lanes = performance.ParallelRuns,
        };
    }
}
