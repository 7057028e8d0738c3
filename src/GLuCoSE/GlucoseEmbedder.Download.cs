using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Engine;
using GLuCoSE.Hub;
using Microsoft.Extensions.Logging.Abstractions;

namespace GLuCoSE;

public sealed partial class GlucoseEmbedder
{
    /// <summary>
    /// Loads a model from a <see cref="GlucoseModelSource"/>, downloading it into the local cache on first use:
    /// by default GLuCoSE-base-ja (<see cref="GlucoseModelSource.Default"/>). Later calls load the cached copy without
    /// the network, after checking each file's size and SHA-256 against the cache's manifest.
    /// </summary>
    /// <param name="source">Where the model comes from; null for <see cref="GlucoseModelSource.Default"/>.</param>
    /// <param name="options">Options; null for the defaults. They are checked before anything is downloaded.</param>
    /// <param name="progress">Receives the progress of each file downloaded; null for none.</param>
    /// <param name="cancellationToken">Cancels the download (what was downloaded is kept and resumed next time).</param>
    /// <returns>The embedder, which the caller disposes.</returns>
    /// <remarks>
    /// <para>Environment: <c>HF_ENDPOINT</c>, <c>HF_TOKEN</c>, <c>HF_HUB_OFFLINE=1</c>, <c>GLUCOSE_CACHE</c> and
    /// <c>GLUCOSE_ONNX_URL</c> apply where the source leaves the matching property null (see
    /// <see cref="GlucoseModelSource"/>).</para>
    /// <para>Thread safety: calls for the same source may run at once, in one process or several; one downloads while
    /// the others wait for it. Loading the model (after the download) runs on the calling thread, as
    /// <see cref="Create(string, GlucoseEmbedderOptions?)"/> does.</para>
    /// <para>Nothing is written outside the download cache (<see cref="GlucoseModelSource.CacheDirectory"/>) unless
    /// <see cref="GlucosePerformanceOptions.OptimizedModelCacheDirectory"/> names a folder, or a
    /// <see cref="GlucoseModelSource.LocalDirectory"/> is loaded with a <see cref="GlucoseModelSource.Precision"/> other
    /// than Float32 (its converted graph is made in that folder); the options apply as they do
    /// for <see cref="Create(string, GlucoseEmbedderOptions?)"/>.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    /// <exception cref="ArgumentException">A property of <paramref name="source"/> is not valid.</exception>
    /// <exception cref="HttpRequestException">
    /// The server refused a file (401 or 403: set <c>HF_TOKEN</c>; 404: the URL is wrong), or could not be reached.
    /// </exception>
    /// <exception cref="DirectoryNotFoundException">The source's <see cref="GlucoseModelSource.LocalDirectory"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">Offline, and the cache does not hold the model; or the model folder lacks a file.</exception>
    /// <exception cref="InvalidDataException">Offline and a cached file is damaged; or a file is not a valid model.</exception>
    /// <exception cref="IOException">The download was interrupted too often, the disk is full, or the cache stayed locked.</exception>
    /// <exception cref="InvalidOperationException">The CUDA provider was asked for and cannot be loaded.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static Task<GlucoseEmbedder> CreateAsync(
        GlucoseModelSource? source = null,
        GlucoseEmbedderOptions? options = null,
        IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        CreateCoreAsync(source, options, progress, HubEnvironment.Process, cancellationToken);

    internal static async Task<GlucoseEmbedder> CreateCoreAsync(
        GlucoseModelSource? source,
        GlucoseEmbedderOptions? options,
        IProgress<DownloadProgress>? progress,
        HubEnvironment environment,
        CancellationToken cancellationToken)
    {
        // Fail on a bad option before a 440 MB download, not after.
        GlucoseEmbedderOptions settings = (options ?? new GlucoseEmbedderOptions()).ValidatedCopy();
        source ??= GlucoseModelSource.Default;
        if (source.Precision != GlucosePrecision.Float32)
        {
            settings.ModelFileName = settings.ModelFileName is null
                ? GlucoseModelOptimizer.GetModelFileName(source.Precision)
                : throw new ArgumentException(
                    $"Both GlucoseEmbedderOptions.ModelFileName ('{settings.ModelFileName}') and GlucoseModelSource.Precision ({source.Precision}) choose the graph; set one.",
                    nameof(options));
        }

        string folder = await source.DownloadCoreAsync(environment, progress, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // A downloaded model is known by its repository, not by its cache folder (named after the revision).
        if (source.LocalDirectory is null)
        {
            settings.ModelId ??= source.Repository;
        }

        return new GlucoseEmbedder(EmbeddingEngine.Open(folder, settings, NullLogger.Instance, TimeProvider.System), settings);
    }
}
