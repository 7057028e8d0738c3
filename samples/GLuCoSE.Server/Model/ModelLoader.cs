namespace GLuCoSE.Server.Model;

/// <summary>
/// Loads the model in the background, so the port opens at once and <c>/health</c> answers 503 until the model is
/// ready. A model that cannot be loaded is logged and stops the server with exit code 1: an instance that can never
/// embed should not look alive.
/// </summary>
internal sealed partial class ModelLoader(
    IEmbedderFactory factory,
    EmbedderHost host,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ModelLoader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start-up path: ExecuteAsync runs synchronously up to its first await.
        await Task.Yield();
        long start = time.GetTimestamp();
        try
        {
            GlucoseEmbedder embedder = await factory.CreateAsync(stoppingToken).ConfigureAwait(false);
            host.SetLoaded(embedder);
            double seconds = time.GetElapsedTime(start).TotalSeconds;
            LogLoaded(logger, host.ModelId, embedder.Dimensions, embedder.MaxSequenceLength, seconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped while loading: nothing to report.
        }
#pragma warning disable CA1031 // Whatever stops the load stops the server, with the reason in the log.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(logger, ex);
            Environment.ExitCode = 1;

            // Stopping while the host is still starting would fail its start; stop as soon as it has started (at
            // once when it already has).
            lifetime.ApplicationStarted.Register(lifetime.StopApplication);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {ModelId} loaded: {Dimensions} dimensions, at most {MaxTokens} tokens per text, in {Seconds:F1} s")]
    private static partial void LogLoaded(ILogger logger, string? modelId, int dimensions, int maxTokens, double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The model could not be loaded; the server stops")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
