using System.Globalization;

namespace GLuCoSE.Cli;

/// <summary>Download progress on standard error: redrawn in place on a terminal, a line per file when redirected.</summary>
internal sealed class DownloadReporter : IProgress<DownloadProgress>
{
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private string? _current;

    public void Report(DownloadProgress value)
    {
        if (_interactive)
        {
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\rdownloading {Describe(value)}   "));
            if (IsComplete(value))
            {
                Console.Error.WriteLine();
            }
        }
        else if (IsComplete(value) || value.FileName != _current)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"download {Describe(value)}"));
        }

        _current = value.FileName;
    }

    private static bool IsComplete(DownloadProgress value) => value.TotalBytes is long total && value.BytesDone >= total;

    // Such as "model.onnx 12.0/442.6 MB".
    private static string Describe(DownloadProgress value) =>
        value.TotalBytes is long total
            ? string.Create(CultureInfo.InvariantCulture, $"{value.FileName} {value.BytesDone / 1e6:F1}/{total / 1e6:F1} MB")
            : string.Create(CultureInfo.InvariantCulture, $"{value.FileName} {value.BytesDone / 1e6:F1} MB");
}
