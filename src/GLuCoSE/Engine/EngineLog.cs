using Microsoft.Extensions.Logging;

namespace GLuCoSE.Engine;

/// <summary>The engine's log messages (as <c>ILogger&lt;GlucoseEmbedder&gt;</c> under dependency injection).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(
        EventId = 1,
        EventName = "ModelLoaded",
        Level = LogLevel.Information,
        Message = "GLuCoSE model loaded from {ModelPath}: {Dimensions} dimensions, at most {MaxSequenceLength} tokens per text, execution provider {ExecutionProvider}, intra-op threads {IntraOpThreads}, batch size {BatchSize}")]
    public static partial void ModelLoaded(ILogger logger, string modelPath, int dimensions, int maxSequenceLength, GlucoseExecutionProvider executionProvider, string intraOpThreads, int batchSize);

    [LoggerMessage(
        EventId = 2,
        EventName = "InputsTruncated",
        Level = LogLevel.Warning,
        Message = "{TruncatedCount} of {InputCount} inputs are longer than {MaxSequenceLength} tokens and were truncated; use EncodeDocument to embed long texts in chunks")]
    public static partial void InputsTruncated(ILogger logger, int truncatedCount, int inputCount, int maxSequenceLength);

    [LoggerMessage(
        EventId = 3,
        EventName = "ParallelRuns",
        Level = LogLevel.Information,
        Message = "GLuCoSE parallel runs (GlucosePerformanceOptions.ParallelRuns) {ParallelRuns}")]
    public static partial void ParallelRuns(ILogger logger, string parallelRuns);
}
