using System;
using System.Collections.Generic;

namespace GLuCoSE;

/// <summary>
/// The performance knobs of <see cref="GlucoseEmbedderOptions"/> (<see cref="GlucoseEmbedderOptions.Performance"/>).
/// The defaults are the fastest measured on the CPU; embeddings are bit-identical whatever they are set to.
/// </summary>
/// <remarks>How the defaults were measured: docs/performance.md.</remarks>
public sealed class GlucosePerformanceOptions
{
    /// <summary>
    /// Gets or sets the most padded tokens (texts × longest text) per model run (at least 1; a longer single text still
    /// runs alone). Null (the default): 1,024 on the CPU, 4,096 on CUDA. A budget sizes runs by their compute rather
    /// than by their texts (text-embeddings-inference's max-batch-tokens): short texts share large batches, long ones
    /// small batches, which also bounds the memory attention needs. Micro-batches of concurrent
    /// <see cref="GlucoseEmbedder.Encode(string)"/> calls stay within it too.
    /// </summary>
    public int? MaxBatchTokens { get; set; }

    /// <summary>
    /// Gets or sets how long after a micro-batch of concurrent <see cref="GlucoseEmbedder.Encode(string)"/> calls ended
    /// the next one may wait for that batch's callers to come back with their next text (zero to one second). Null (the
    /// default): 5 ms. A lone caller never waits, nor does a call that comes later than that; with many callers the wait
    /// keeps micro-batches full and every caller's latency close to one batch. <see cref="TimeSpan.Zero"/> turns it off.
    /// </summary>
    public TimeSpan? MicroBatchWait { get; set; }

    /// <summary>
    /// Gets or sets whether the embedder may run two batches at once, each on half the intra-op threads, instead of one
    /// after the other on all of them: the two halves of a micro-batch of concurrent single-text calls, and the two
    /// halves of a bulk batch of 512 to 2,048 padded tokens. Default true. CPU only, with at least two intra-op threads.
    /// </summary>
    /// <remarks>
    /// The second session shares the first's weights, so it costs its activations only: the weights are memory-mapped
    /// from the model files where they lie aligned (external-data files), and copied once into memory both sessions
    /// share where they do not (weights inside the graph file, as in the public opset-11 export). It opens in the
    /// background the first time a batch could use it; that batch and any until it is open run on the main session, so
    /// a program that embeds a few texts and exits never waits for it.
    /// </remarks>
    public bool ParallelRuns { get; set; } = true;

    /// <summary>
    /// Gets or sets a folder where ONNX Runtime's optimized graph of the model is kept, so that later loads skip the
    /// graph optimizations. Null (the default): nothing is written. CPU only.
    /// </summary>
    /// <remarks>
    /// <para>The first load writes an entry (a copy of the graph, weights included: about 450 MB for fp32), keyed by the
    /// model files (path, size, last write time), the ONNX Runtime version and the CPU's instruction sets, because the
    /// optimized graph may hold nodes for this hardware only: a changed model or machine gets a new entry and the old
    /// one is never read again (delete the folder to reclaim the space). A folder that cannot be written to costs only
    /// the speed-up. The graphs in it are loaded like the model itself: give it the same protection as the model
    /// folder.</para>
    /// </remarks>
    public string? OptimizedModelCacheDirectory { get; set; }

    internal GlucosePerformanceOptions Clone() => (GlucosePerformanceOptions)MemberwiseClone();

    internal void Validate(string parameterName)
    {
        if (MaxBatchTokens is < 1)
        {
            throw new ArgumentOutOfRangeException(parameterName, MaxBatchTokens, "Performance.MaxBatchTokens must be null (the provider's default) or at least 1.");
        }

        if (MicroBatchWait is TimeSpan wait && (wait < TimeSpan.Zero || wait > TimeSpan.FromSeconds(1)))
        {
            throw new ArgumentOutOfRangeException(parameterName, wait, "Performance.MicroBatchWait must be null (5 ms) or between zero and one second.");
        }
    }
}
