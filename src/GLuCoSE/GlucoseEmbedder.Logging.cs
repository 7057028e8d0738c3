using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GLuCoSE;

public sealed partial class GlucoseEmbedder
{
    private ILogger _logger = NullLogger.Instance;

    /// <summary>
    /// Gives the embedder a logger and logs what was loaded. The dependency-injection registration calls it with
    /// <c>ILogger&lt;GlucoseEmbedder&gt;</c> when the container has a logger factory.
    /// </summary>
    internal void AttachLogger(ILogger logger)
    {
        _logger = logger;
        LogModelLoaded(
            _logger,
            _modelPath,
            Dimensions,
            _maxSequenceLength,
            _options.ExecutionProvider,
            _options.IntraOpNumThreads is int threads ? threads.ToString(CultureInfo.InvariantCulture) : "ONNX Runtime's default",
            _options.EffectiveBatchSize);

        // The lanes' session may still be opening: say how they ended up once it is known.
        _runners.LanesOpened.ContinueWith(
            _ => LogParallelRuns(_logger, _runners.LanesState),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void LogTruncation(EncodeCall call) => LogTruncation(call.Truncated, call.Texts);

    private void LogTruncation(int truncated, int textCount)
    {
        if (truncated > 0)
        {
            LogInputsTruncated(_logger, truncated, textCount, _maxSequenceLength);
        }
    }

    [LoggerMessage(
        EventId = 1,
        EventName = "ModelLoaded",
        Level = LogLevel.Information,
        Message = "GLuCoSE model loaded from {ModelPath}: {Dimensions} dimensions, at most {MaxSequenceLength} tokens per text, execution provider {ExecutionProvider}, intra-op threads {IntraOpThreads}, batch size {BatchSize}")]
    private static partial void LogModelLoaded(ILogger logger, string modelPath, int dimensions, int maxSequenceLength, GlucoseExecutionProvider executionProvider, string intraOpThreads, int batchSize);

    [LoggerMessage(
        EventId = 3,
        EventName = "ParallelRuns",
        Level = LogLevel.Information,
        Message = "GLuCoSE parallel runs (GlucoseEmbedderOptions.ParallelRuns) {ParallelRuns}")]
    private static partial void LogParallelRuns(ILogger logger, string parallelRuns);

    [LoggerMessage(
        EventId = 2,
        EventName = "InputsTruncated",
        Level = LogLevel.Warning,
        Message = "{TruncatedCount} of {InputCount} inputs are longer than {MaxSequenceLength} tokens and were truncated; use EncodeDocument to embed long texts in chunks")]
    private static partial void LogInputsTruncated(ILogger logger, int truncatedCount, int inputCount, int maxSequenceLength);
}
