using System;
using System.Collections.Concurrent;

namespace GLuCoSE.Tests.Hub;

/// <summary>Keeps every report, on the reporting thread (Progress&lt;T&gt; would post them to the thread pool, too late to assert).</summary>
internal sealed class RecordingProgress : IProgress<DownloadProgress>
{
    private readonly Action<DownloadProgress>? _onReport;

    public RecordingProgress(Action<DownloadProgress>? onReport = null) => _onReport = onReport;

    public ConcurrentQueue<DownloadProgress> Reports { get; } = new();

    public void Report(DownloadProgress value)
    {
        Reports.Enqueue(value);
        _onReport?.Invoke(value);
    }
}
