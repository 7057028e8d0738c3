using System.Diagnostics;

namespace GLuCoSE.Cli;

/// <summary>
/// A progress bar on standard error (with the rate in <c>rateUnit</c> per second, unless null): redrawn in place on a terminal, a line per 10% when redirected (logs, CI), and
/// nothing with --quiet.
/// </summary>
internal sealed class ConsoleProgress(string label, bool quiet, string? rateUnit = "texts") : IProgress<EncodeProgress>
{
    private const int Width = 30;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private int _lastTenth = -1;

    public void Report(EncodeProgress value) => Report(value.Completed, value.Total);

    public void Report(long completed, long total)
    {
        if (quiet)
        {
            return;
        }

        double fraction = total == 0 ? 1d : (double)completed / total;
        int tenth = (int)(fraction * 10);
        bool done = completed == total;
        if (!_interactive && tenth == _lastTenth && !done)
        {
            return;
        }

        _lastTenth = tenth;
        int filled = (int)(fraction * Width);
        double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        string line = $"{label} [{new string('#', filled)}{new string('.', Width - filled)}] {completed}/{total}" +
                      (rateUnit is null ? string.Empty : $" ({completed / seconds:F0} {rateUnit}/s)");
        if (_interactive)
        {
            Console.Error.Write('\r' + line);
            if (done)
            {
                Console.Error.WriteLine();
            }
        }
        else
        {
            Console.Error.WriteLine(line);
        }
    }
}
