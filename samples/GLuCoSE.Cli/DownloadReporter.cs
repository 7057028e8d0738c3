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
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\rdownloading {value}   "));
            if (value.IsComplete)
            {
                Console.Error.WriteLine();
            }
        }
        else if (value.IsComplete || value.FileName != _current)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"download {value}"));
        }

        _current = value.FileName;
    }
}
