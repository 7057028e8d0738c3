using System;
using System.IO;
using Microsoft.ML.OnnxRuntime;

namespace GLuCoSE.Inference;

/// <summary>
/// The sessions an embedder runs the model with: the main session (every intra-op thread, one run at a time) and,
/// where it pays, two lanes on a second session with half the threads each, for micro-batches that split into
/// several runs (<see cref="ParallelRuns"/>). Both sessions share one copy of the weights (<see cref="SharedWeights"/>).
/// </summary>
internal sealed class ModelRunners : IDisposable
{
    /// <summary>The least share of the weights that must be shared for the lanes to be worth their memory.</summary>
    private const double MinSharedFraction = 0.9;

    private readonly SharedWeights? _weights;

    private ModelRunners(OnnxEncoder main, ParallelRuns? lanes, SharedWeights? weights)
    {
        Main = main;
        Lanes = lanes;
        _weights = weights;
    }

    /// <summary>Gets the main session.</summary>
    public OnnxEncoder Main { get; }

    /// <summary>Gets the two lanes for micro-batches, or null where they are off (see <see cref="GlucoseEmbedderOptions.ParallelMicroBatches"/>).</summary>
    public ParallelRuns? Lanes { get; }

    /// <summary>Opens the sessions and proves them with <see cref="OnnxEncoder.Probe"/>.</summary>
    public static ModelRunners Open(string modelPath, GlucoseEmbedderOptions options, int vocabularySize, string tokenizerPath)
    {
        int threads = options.IntraOpNumThreads is int t && t > 0 ? t : Environment.ProcessorCount;
        if (options.ParallelMicroBatches && options.ExecutionProvider == GlucoseExecutionProvider.Cpu && threads >= 2
            && TryOpenShared(modelPath, options, threads, vocabularySize, tokenizerPath) is { } shared)
        {
            return shared;
        }

        OnnxEncoder main = OnnxEncoder.Create(modelPath, options.ExecutionProvider, options.IntraOpNumThreads, options.OptimizedModelCacheDirectory);
        try
        {
            main.Probe(modelPath, vocabularySize, tokenizerPath);
        }
        catch
        {
            main.Dispose();
            throw;
        }

        return new ModelRunners(main, null, null);
    }

    public void Dispose()
    {
        Main.Dispose();
        Lanes?.Dispose();
        _weights?.Dispose();
    }

    // Null when the weights cannot be shared, or anything about the shared load fails: the caller then opens one
    // session the plain way, which reports a bad model with ONNX Runtime's own message.
    private static ModelRunners? TryOpenShared(string modelPath, GlucoseEmbedderOptions options, int threads, int vocabularySize, string tokenizerPath)
    {
        string graph = modelPath;
        bool optimized = false;
        bool fromCache = false;
        if (options.OptimizedModelCacheDirectory is string cache)
        {
            try
            {
                (string? entry, fromCache) = OptimizedModelCache.EnsureEntry(
                    cache, modelPath, () => OnnxEncoder.CreateSessionOptions(GlucoseExecutionProvider.Cpu, options.IntraOpNumThreads));
                if (entry is not null)
                {
                    graph = entry;
                    optimized = true;
                }
            }
            catch (OnnxRuntimeException)
            {
                return null;
            }
        }

        SharedWeights? weights = null;
        OnnxEncoder? main = null;
        OnnxEncoder? lane = null;
        try
        {
            weights = SharedWeights.Map(graph);
            if (weights.SharedFraction < MinSharedFraction)
            {
                // E.g. weights inside the graph file at offsets their element type cannot be read from: each session
                // would copy them, and a second session would cost as much memory as the first.
                weights.Dispose();
                return null;
            }

            main = OnnxEncoder.CreateShared(graph, optimized, options.IntraOpNumThreads, weights);
            main.FromOptimizedModelCache = fromCache;
            main.Probe(modelPath, vocabularySize, tokenizerPath);
            lane = OnnxEncoder.CreateShared(graph, optimized, Math.Max(1, threads / 2), weights);
            lane.Probe(modelPath, vocabularySize, tokenizerPath);
            weights.Trim();
            return new ModelRunners(main, new ParallelRuns(lane), weights);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or OnnxRuntimeException)
        {
            main?.Dispose();
            lane?.Dispose();
            weights?.Dispose();
            if (optimized)
            {
                // A damaged cache entry: forget it; the plain load writes it again.
                OptimizedModelCache.Discard(graph);
            }

            return null;
        }
    }
}
