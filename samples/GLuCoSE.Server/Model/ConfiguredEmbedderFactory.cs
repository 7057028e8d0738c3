namespace GLuCoSE.Server.Model;

/// <summary>
/// Opens the model the configuration names, as the <c>glucose</c> CLI does: <see cref="ServerOptions.Model"/> loads
/// a folder with <see cref="GlucoseEmbedder.Create(string, GlucoseEmbedderOptions?)"/>; otherwise
/// <see cref="GlucoseEmbedder.CreateAsync"/> loads <see cref="ServerOptions.Source"/> (a folder or a hub repository),
/// by default GLuCoSE-base-ja, from the download cache, downloading it on first use (HF_ENDPOINT, HF_TOKEN,
/// HF_HUB_OFFLINE, GLUCOSE_CACHE and GLUCOSE_ONNX_URL apply). <see cref="ServerOptions.Precision"/> other than Float32
/// loads through <see cref="GlucoseEmbedder.CreateAsync"/> in both cases, which makes that graph once.
/// </summary>
internal sealed partial class ConfiguredEmbedderFactory(ServerOptions options, EmbedderHost host, ILogger<ConfiguredEmbedderFactory> logger)
    : IEmbedderFactory
{
    public async Task<GlucoseEmbedder> CreateAsync(CancellationToken cancellationToken)
    {
        if (options.Model is string folder && options.Precision == GlucosePrecision.Float32)
        {
            LogLoadingFolder(logger, folder);
            return await Task.Run(() => GlucoseEmbedder.Create(folder, host.Options), cancellationToken).ConfigureAwait(false);
        }

        // Another precision goes through CreateAsync, which makes that graph once beside model.onnx.
        GlucoseModelSource source = (options.Model is string local ? new GlucoseModelSource { Repository = null, LocalDirectory = local } : Source())
            with { Precision = options.Precision };
        LogLoadingSource(logger, source.LocalDirectory ?? source.Repository ?? "GLuCoSE-base-ja");
        return await GlucoseEmbedder.CreateAsync(source, host.Options, new DownloadLog(logger), cancellationToken).ConfigureAwait(false);
    }

    private GlucoseModelSource Source()
    {
        GlucoseModelSource source = GlucoseModelSource.Default;
        try
        {
            if (options.Source is string spec)
            {
                source = GlucoseModelSource.Parse(spec);
            }

            return options.OnnxUrl is string url ? source with { OnnxUrl = url } : source;
        }
        catch (ArgumentException ex)
        {
            throw new ServerConfigurationException($"Glucose:Source / Glucose:OnnxUrl: {ex.Message}", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loading the model folder {Folder}")]
    private static partial void LogLoadingFolder(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loading {Source} (downloaded into the cache on first use)")]
    private static partial void LogLoadingSource(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded {File} ({Bytes} bytes)")]
    private static partial void LogDownloaded(ILogger logger, string file, long bytes);

    /// <summary>Logs each file once its download completes (not every chunk).</summary>
    private sealed class DownloadLog(ILogger logger) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value)
        {
            if (value.TotalBytes is long total && value.BytesDone == total)
            {
                LogDownloaded(logger, value.FileName, total);
            }
        }
    }
}
