using System.Diagnostics;
using System.Text;

namespace GLuCoSE.Server.Tests.Infrastructure;

/// <summary>
/// The server as users run it: its own process (<c>dotnet GLuCoSE.Server.dll</c>, built beside the tests) on a free
/// loopback port, with its console log collected.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "Now listening on: ";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _awaited = [];

    private ServerProcess(Process process) => _process = process;

    /// <summary>Gets everything the process has written to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int Id => _process.Id;

    /// <summary>Starts the server; <paramref name="environment"/> adds variables (GLUCOSE_* and HF_* are not inherited).</summary>
    public static ServerProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GLuCoSE.Server.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("http://127.0.0.1:0");
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("GLUCOSE_", StringComparison.Ordinal) || k.StartsWith("HF_", StringComparison.Ordinal)).ToArray())
        {
            info.Environment.Remove(name);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits for the line Kestrel logs when it listens, and returns that address.</summary>
    public async Task<Uri> ListeningAsync()
    {
        await WaitForOutputAsync(ListeningPrefix);
        string output = Output;
        int start = output.IndexOf(ListeningPrefix, StringComparison.Ordinal) + ListeningPrefix.Length;
        int end = output.IndexOfAny(['\r', '\n'], start);
        return new Uri(output[start..(end < 0 ? output.Length : end)].Trim() + "/");
    }

    /// <summary>Waits until the output holds <paramref name="text"/>; fails, with the output, if the process ends first.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        TaskCompletionSource seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            _awaited.Add((text, seen));
        }

        Task exited = _process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Task first = await Task.WhenAny(seen.Task, exited).WaitAsync(RunningServer.HangGuard, TestContext.Current.CancellationToken);
        Assert.True(first == seen.Task, $"the server exited before it wrote '{text}':\n{Output}");
    }

    /// <summary>Sends a POSIX signal (TERM, INT) to the process.</summary>
    public void Signal(string signal)
    {
        using Process kill = Process.Start("kill", [$"-{signal}", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the process to end (a hang guard, not a speed requirement) and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync()
    {
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(RunningServer.HangGuard, TestContext.Current.CancellationToken);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            foreach ((string text, TaskCompletionSource seen) in _awaited)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    seen.TrySetResult();
                }
            }
        }
    }
}
