using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Model;
using Microsoft.ML.OnnxRuntime;

namespace GLuCoSE.Execution;

/// <summary>
/// The sessions the engine runs the model with: the main session (every intra-op thread, one run at a time) and,
/// where it pays, two lanes on a second session with half the threads each, for the halves of bulk batches and of
/// micro-batches (<see cref="ParallelRuns"/>). Both sessions share one copy of the weights (<see cref="SharedWeights"/>).
/// </summary>
internal sealed class ModelSessions : IDisposable
{
    private readonly SharedWeights? _weights;
    private readonly Func<OnnxEncoder>? _openLane;
    private readonly TaskCompletionSource _lanesOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ParallelRuns? _lanes;
    private volatile string _offReason;
    private int _laneOpening;

    private ModelSessions(OnnxEncoder main, SharedWeights? weights, Func<OnnxEncoder>? openLane, string offReason)
    {
        Main = main;
        _weights = weights;
        _offReason = offReason;
        if (openLane is null || weights is null)
        {
            _lanesOpened.SetResult();
        }
        else
        {
            _openLane = openLane;
        }
    }

    /// <summary>Gets the main session.</summary>
    public OnnxEncoder Main { get; }

    /// <summary>
    /// Gets the two lanes for bulk batches and micro-batches; null where they are off (see
    /// <see cref="GlucosePerformanceOptions.ParallelRuns"/>) or not open yet (see <see cref="OpenLanes"/>).
    /// </summary>
    public ParallelRuns? Lanes => _lanes;

    /// <summary>Gets whether the lanes are open or may still open (not off for good).</summary>
    public bool MayHaveLanes => _lanes is not null || !LanesOpened.IsCompleted;

    /// <summary>Gets a task that ends when the lanes are open, or known to stay off.</summary>
    public Task LanesOpened => _lanesOpened.Task;

    /// <summary>Gets whether the lanes are on, opening, not opened yet, or off and why (for the load log and diagnostics).</summary>
    public string LanesState =>
        _lanes is not null ? "on"
        : LanesOpened.IsCompleted ? "off: " + _offReason
        : Volatile.Read(ref _laneOpening) == 0 ? "not opened yet (they open when a batch first can use them)"
        : "opening";

    /// <summary>
    /// Starts opening the lanes' session in the background, the first time a batch could use it: a process that never
    /// runs such a batch (a few texts, then exit) neither waits for it nor spends a core and memory on it. Returns
    /// <see cref="LanesOpened"/>; batches use the lanes once they are there.
    /// </summary>
    public Task OpenLanes()
    {
        if (_openLane is { } open && Interlocked.Exchange(ref _laneOpening, 1) == 0)
        {
            Task.Factory.StartNew(() => OpenLanesNow(open, _weights!), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        return LanesOpened;
    }

    /// <summary>Opens the main session and proves it with <see cref="OnnxEncoder.Probe"/>; the lanes open later, when first useful (<see cref="OpenLanes"/>).</summary>
    public static ModelSessions Open(string modelPath, GlucoseEmbedderOptions options, bool lanes, double minSharedFraction, int vocabularySize, string tokenizerPath)
    {
        int threads = Threads(options);
        string? offReason = OffByOptions(options, lanes);
        if (offReason is null && TryOpenShared(modelPath, options, threads, minSharedFraction, vocabularySize, tokenizerPath, out offReason) is { } shared)
        {
            return shared;
        }

        OnnxEncoder main = OnnxEncoder.Create(modelPath, options.ExecutionProvider, options.IntraOpNumThreads, options.Performance.OptimizedModelCacheDirectory);
        try
        {
            main.Probe(modelPath, vocabularySize, tokenizerPath);
        }
        catch
        {
            main.Dispose();
            throw;
        }

        return new ModelSessions(main, null, null, offReason ?? "");
    }

    /// <summary>
    /// Waits for the lanes' session to finish opening if it has started (none starts after this), then releases every
    /// session and the weights.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _laneOpening, 1) == 1)
        {
            LanesOpened.Wait();
        }

        Main.Dispose();
        _lanes?.Dispose();
        _weights?.Dispose();
    }

    [SuppressMessage("Design", "CA1031", Justification = "The lanes only speed batches up: any failure leaves them off, never the embedder broken.")]
    private void OpenLanesNow(Func<OnnxEncoder> openLane, SharedWeights weights)
    {
        try
        {
            _lanes = new ParallelRuns(openLane());
        }
        catch (Exception ex)
        {
            // Batches run whole, one at a time, on the main session, as with ParallelRuns off.
            _offReason = "their session failed to open: " + ex.Message;
        }
        finally
        {
            // Both sessions hold their pre-packed matrices now: the mapped pages need not stay resident.
            weights.Trim();
            _lanesOpened.SetResult();
        }
    }

    private static int Threads(GlucoseEmbedderOptions options) =>
        options.IntraOpNumThreads is int t && t > 0 ? t : Environment.ProcessorCount;

    // Why the options alone keep the lanes off; null when the model decides (whether its weights can be shared).
    private static string? OffByOptions(GlucoseEmbedderOptions options, bool lanes) =>
        !lanes ? "ParallelRuns is false"
        : options.ExecutionProvider != GlucoseExecutionProvider.Cpu ? "they run on the CPU only"
        : Threads(options) < 2 ? "one intra-op thread"
        : null;

    // Null when the weights cannot be shared, or anything about the shared load fails: the caller then opens one
    // session the plain way, which reports a bad model with ONNX Runtime's own message.
    private static ModelSessions? TryOpenShared(
        string modelPath, GlucoseEmbedderOptions options, int threads, double minSharedFraction, int vocabularySize, string tokenizerPath, out string offReason)
    {
        offReason = "";
        string graph = modelPath;
        bool optimized = false;
        bool fromCache = false;
        if (options.Performance.OptimizedModelCacheDirectory is string cache)
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
            catch (OnnxRuntimeException ex)
            {
                offReason = "the optimized-model cache could not be used: " + ex.Message;
                return null;
            }
        }

        SharedWeights? weights = null;
        OnnxEncoder? main = null;
        bool opened = false;
        try
        {
            weights = SharedWeights.Map(graph);
            if (weights.SharedFraction < minSharedFraction)
            {
                // E.g. weights inside the graph file at offsets their element type cannot be read from: each session
                // would copy them, and a second session would cost as much memory as the first.
                offReason = $"only {(int)Math.Round(weights.SharedFraction * 100)}% of the weights can be shared from '{graph}' (the rest is in typed " +
                    "tensor fields, not raw_data or external data)";
                weights.Dispose();
                return null;
            }

            main = OnnxEncoder.CreateShared(graph, optimized, options.IntraOpNumThreads, weights);
            main.FromOptimizedModelCache = fromCache;
            opened = true;
            main.Probe(modelPath, vocabularySize, tokenizerPath);

            // The main session holds its pre-packed matrices: until the lanes open (if ever), the pages can go.
            weights.Trim();
            SharedWeights laneWeights = weights;
            return new ModelSessions(main, weights, openLane: () =>
            {
                OnnxEncoder lane = OnnxEncoder.CreateShared(graph, optimized, Math.Max(1, threads / 2), laneWeights);
                try
                {
                    lane.Probe(modelPath, vocabularySize, tokenizerPath);
                    return lane;
                }
                catch
                {
                    lane.Dispose();
                    throw;
                }
            }, offReason: "");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or OnnxRuntimeException)
        {
            offReason = "the shared weights could not be loaded: " + ex.Message;
            main?.Dispose();
            weights?.Dispose();
            if (optimized && !opened)
            {
                // A damaged cache entry: forget it; the plain load writes it again. (A graph that opens but fails the
                // probe is the model's fault, not the entry's; the plain load reports it.)
                OptimizedModelCache.Discard(graph);
            }

            return null;
        }
    }
}
