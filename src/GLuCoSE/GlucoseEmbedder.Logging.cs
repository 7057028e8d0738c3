using System;
using System.Collections.Generic;
using System.Globalization;
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
            ModelPath,
            Dimensions,
            MaxSequenceLength,
            _options.ExecutionProvider,
            _options.IntraOpNumThreads is int threads ? threads.ToString(CultureInfo.InvariantCulture) : "ONNX Runtime's default",
            _options.BatchSize);
    }

    // Counting tokens costs a second tokenization, so it is done only when someone listens.
    private void LogIfTruncated(IReadOnlyList<string> texts)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            LogTruncation(CountTokens(texts, out _), texts.Count);
        }
    }

    private void LogTruncation(TokenCounts counts, int textCount)
    {
        if (counts.Truncated > 0)
        {
            LogInputsTruncated(_logger, counts.Truncated, textCount, MaxSequenceLength, counts.Longest);
        }
    }

    private TokenCounts CountTokens(IReadOnlyList<string> texts, out long processedTokens)
    {
        var counts = default(TokenCounts);
        processedTokens = 0;
        for (int i = 0; i < texts.Count; i++)
        {
            int count = Tokenizer.CountTokens(texts[i]);
            processedTokens += Math.Min(count, MaxSequenceLength);
            if (count > MaxSequenceLength)
            {
                counts.Truncated++;
            }

            counts.Longest = Math.Max(counts.Longest, count);
        }

        return counts;
    }

    [LoggerMessage(
        EventId = 1,
        EventName = "ModelLoaded",
        Level = LogLevel.Information,
        Message = "GLuCoSE model loaded from {ModelPath}: {Dimensions} dimensions, at most {MaxSequenceLength} tokens per text, execution provider {ExecutionProvider}, intra-op threads {IntraOpThreads}, batch size {BatchSize}")]
    private static partial void LogModelLoaded(ILogger logger, string modelPath, int dimensions, int maxSequenceLength, GlucoseExecutionProvider executionProvider, string intraOpThreads, int batchSize);

    [LoggerMessage(
        EventId = 2,
        EventName = "InputsTruncated",
        Level = LogLevel.Warning,
        Message = "{TruncatedCount} of {InputCount} inputs are longer than {MaxSequenceLength} tokens and were truncated (the longest has {LongestTokenCount}); use EncodeDocument to embed long texts in chunks")]
    private static partial void LogInputsTruncated(ILogger logger, int truncatedCount, int inputCount, int maxSequenceLength, int longestTokenCount);

    private struct TokenCounts
    {
        public int Truncated;
        public int Longest;
    }
}
