using System;
using System.Diagnostics;
using GLuCoSE.Engine;
using GLuCoSE.Execution;
using Microsoft.Extensions.Logging.Abstractions;

namespace GLuCoSE.Benchmarks;

/// <summary>
/// An embedder for measuring, opened as <see cref="GlucoseEmbedder.Create(string, GlucoseEmbedderOptions?)"/> opens
/// one, with the engine behind it kept for its statistics (runs, padded tokens, micro-batch rounds, the lanes).
/// </summary>
internal sealed class BenchEmbedder : IDisposable
{
    private BenchEmbedder(GlucoseEmbedder embedder, EmbeddingEngine engine)
    {
        Embedder = embedder;
        Engine = engine;
    }

    public GlucoseEmbedder Embedder { get; }

    public EmbeddingEngine Engine { get; }

    /// <summary>Gets the main session's encoder.</summary>
    public OnnxEncoder Encoder => Engine.Sessions.Main;

    /// <summary>Gets the lanes' encoder, or null where the lanes are off.</summary>
    public OnnxEncoder? LaneEncoder => Engine.Sessions.Lanes?.Encoder;

    /// <summary>Gets the most texts per model run.</summary>
    public int BatchSize => Engine.Policy.BatchSize;

    /// <summary>Gets the most padded tokens per model run, 0 for no budget (as the benchmarks always printed it).</summary>
    public int MaxBatchTokens => Engine.Policy.MaxBatchTokens == int.MaxValue ? 0 : Engine.Policy.MaxBatchTokens;

    /// <summary>Gets the time spent inside ONNX Runtime (summed over the lanes), the padded tokens it ran, and the runs.</summary>
    public (TimeSpan RunTime, long PaddedTokens, long Runs) RunStatistics
    {
        get
        {
            long ticks = Encoder.RunTicks + (LaneEncoder?.RunTicks ?? 0);
            return (TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency),
                Encoder.PaddedTokens + (LaneEncoder?.PaddedTokens ?? 0), Encoder.RunCount + (LaneEncoder?.RunCount ?? 0));
        }
    }

    /// <summary>
    /// Opens an embedder; unless <paramref name="waitForLanes"/> is false, opens the micro-batch lanes' session at once
    /// and waits for it (the library opens it when a batch first can use it), so that timed rounds all have the lanes.
    /// </summary>
    public static BenchEmbedder Open(string model, GlucoseEmbedderOptions? options = null, bool waitForLanes = true)
    {
        GlucoseEmbedderOptions settings = (options ?? new GlucoseEmbedderOptions()).ValidatedCopy();
        EmbeddingEngine engine = EmbeddingEngine.Open(model, settings, NullLogger.Instance, TimeProvider.System);
        var bench = new BenchEmbedder(new GlucoseEmbedder(engine, settings), engine);
        if (waitForLanes)
        {
            engine.Sessions.OpenLanes().Wait();
        }

        return bench;
    }

    /// <summary>A token budget as the command line gives it: 0 (the old "no budget") becomes int.MaxValue.</summary>
    public static int TokenBudget(int tokens) => tokens > 0 ? tokens : int.MaxValue;

    /// <summary>A copy of <paramref name="options"/> with ParallelRuns off: the library without its micro-batch lanes.</summary>
    public static GlucoseEmbedderOptions WithoutLanes(GlucoseEmbedderOptions options)
    {
        GlucoseEmbedderOptions copy = options.ValidatedCopy();
        copy.Performance.ParallelRuns = false;
        return copy;
    }

    public void Dispose() => Embedder.Dispose();
}
