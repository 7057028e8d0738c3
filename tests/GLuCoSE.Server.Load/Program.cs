// Load on the embedding server: N concurrent clients (1, 8, 32) each posting one sentence at a time to
// /v1/embeddings on a real loopback socket, against N threads calling the same server's embedder in-process
// (Encode(string)) over the same sentences, the two taking turns round by round; then batched Encode of them all.
// It reports sentences per second and the p50/p95 latency of each. Usage and the numbers: docs/server.md.
//
//   dotnet run -c Release --project tests/GLuCoSE.Server.Load -- --model DIR --corpus FILE
//       [--clients 1,8,32] [--sentences N] [--rounds 2] [--format base64|float] [--threads N]
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using GLuCoSE;
using GLuCoSE.Server;
using GLuCoSE.Server.Model;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

Dictionary<string, string> options;
try
{
    options = Options(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"server-load: {ex.Message}");
    Console.Error.WriteLine("usage: GLuCoSE.Server.Load --model DIR --corpus FILE [--clients 1,8,32] [--sentences N] [--rounds 2] [--format base64|float] [--threads N]");
    return 2;
}

string[] corpus = LoadCorpus(options["--corpus"], options.TryGetValue("--sentences", out string? limit) ? int.Parse(limit, CultureInfo.InvariantCulture) : null);
int[] clientCounts = [.. (options.GetValueOrDefault("--clients") ?? "1,8,32").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
int rounds = int.Parse(options.GetValueOrDefault("--rounds") ?? "2", CultureInfo.InvariantCulture);
string format = options.GetValueOrDefault("--format") ?? "base64";
if (format is not ("base64" or "float"))
{
    Console.Error.WriteLine("server-load: --format is base64 (what the official OpenAI clients ask for) or float");
    return 2;
}

var serverArgs = new List<string> { "--model", options["--model"], "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning" };
if (options.TryGetValue("--threads", out string? threads))
{
    serverArgs.AddRange(["--threads", threads]);
}

WebApplication app = ServerApp.Build(ServerApp.CreateBuilder([.. serverArgs]));
await app.StartAsync();
try
{
    var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
    EmbedderHost host = app.Services.GetRequiredService<EmbedderHost>();
    while (host.Embedder is null)
    {
        await Task.Delay(50);
    }

    GlucoseEmbedder embedder = host.Embedder;
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = baseAddress };
    byte[][] bodies = [.. corpus.Select(text => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["input"] = text, ["encoding_format"] = format }))];

    Console.WriteLine($"server-load {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    Console.WriteLine($"model {host.ModelId} ({embedder.Dimensions} dimensions), {corpus.Length} sentences, {rounds} rounds, encoding_format {format}; client and server share this process and machine");

    // Warm up both paths (first runs allocate buffers and JIT the code).
    await RunHttpAsync(client, bodies[..Math.Min(64, bodies.Length)], 8);
    RunInProcess(embedder, corpus[..Math.Min(64, corpus.Length)], 8);

    foreach (int clients in clientCounts)
    {
        var http = new List<double>();
        var inProcess = new List<double>();
        double httpSeconds = 0;
        double inProcessSeconds = 0;
        for (int round = 0; round < rounds; round++)
        {
            // Take turns, and alternate who goes first, so drift in the machine's speed hits both alike.
            for (int turn = 0; turn < 2; turn++)
            {
                if ((turn + round) % 2 == 0)
                {
                    (double seconds, double[] latencies) = await RunHttpAsync(client, bodies, clients);
                    httpSeconds += seconds;
                    http.AddRange(latencies);
                }
                else
                {
                    (double seconds, double[] latencies) = RunInProcess(embedder, corpus, clients);
                    inProcessSeconds += seconds;
                    inProcess.AddRange(latencies);
                }
            }
        }

        Console.WriteLine(
            $"clients={clients,-3} HTTP {corpus.Length * rounds / httpSeconds,7:F1} sent/s p50 {Percentile(http, 0.50),7:F1} ms p95 {Percentile(http, 0.95),7:F1} ms | " +
            $"in-process Encode(string) {corpus.Length * rounds / inProcessSeconds,7:F1} sent/s p50 {Percentile(inProcess, 0.50),7:F1} ms p95 {Percentile(inProcess, 0.95),7:F1} ms | " +
            $"HTTP/in-process {inProcessSeconds / httpSeconds:F2}");
    }

    long start = TimeProvider.System.GetTimestamp();
    embedder.Encode(corpus);
    double batchedSeconds = TimeProvider.System.GetElapsedTime(start).TotalSeconds;
    Console.WriteLine($"batched Encode(all {corpus.Length}) in-process: {corpus.Length / batchedSeconds:F1} sent/s");
    return 0;
}
finally
{
    await app.StopAsync();
    await app.DisposeAsync();
}

// N clients, each posting the next sentence as soon as its last answer came; every answer must be a 200.
static async Task<(double Seconds, double[] Latencies)> RunHttpAsync(HttpClient client, byte[][] bodies, int clients)
{
    double[] latencies = new double[bodies.Length];
    int next = -1;
    long start = TimeProvider.System.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        for (int i = Interlocked.Increment(ref next); i < bodies.Length; i = Interlocked.Increment(ref next))
        {
            long sent = TimeProvider.System.GetTimestamp();
            using var content = new ByteArrayContent(bodies[i]);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using HttpResponseMessage response = await client.PostAsync("v1/embeddings", content);
            byte[] answer = await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"request {i}: {(int)response.StatusCode} {Encoding.UTF8.GetString(answer)}");
            }

            latencies[i] = TimeProvider.System.GetElapsedTime(sent).TotalMilliseconds;
        }
    }));
    return (TimeProvider.System.GetElapsedTime(start).TotalSeconds, latencies);
}

// N threads (Encode blocks its caller), each embedding the next sentence as soon as its last one is done.
static (double Seconds, double[] Latencies) RunInProcess(GlucoseEmbedder embedder, string[] texts, int callers)
{
    double[] latencies = new double[texts.Length];
    int next = -1;
    long start = TimeProvider.System.GetTimestamp();
    Thread[] threads = [.. Enumerable.Range(0, callers).Select(_ => new Thread(() =>
    {
        for (int i = Interlocked.Increment(ref next); i < texts.Length; i = Interlocked.Increment(ref next))
        {
            long sent = TimeProvider.System.GetTimestamp();
            embedder.Encode(texts[i]);
            latencies[i] = TimeProvider.System.GetElapsedTime(sent).TotalMilliseconds;
        }
    }))];
    foreach (Thread thread in threads)
    {
        thread.Start();
    }

    foreach (Thread thread in threads)
    {
        thread.Join();
    }

    return (TimeProvider.System.GetElapsedTime(start).TotalSeconds, latencies);
}

static double Percentile(List<double> values, double fraction)
{
    values.Sort();
    return values[Math.Min(values.Count - 1, (int)(values.Count * fraction))];
}

static string[] LoadCorpus(string path, int? limit)
{
    using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
    string[] all = [.. document.RootElement.EnumerateArray().Select(item => item.GetString() ?? throw new InvalidDataException($"'{path}' is not a JSON array of strings."))];
    return limit is int n && n < all.Length ? all[..n] : all;
}

static Dictionary<string, string> Options(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (int i = 0; i < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
        {
            throw new ArgumentException($"expected --name value pairs; got '{args[i]}'");
        }

        options[args[i]] = args[i + 1];
    }

    foreach (string required in (string[])["--model", "--corpus"])
    {
        if (!options.ContainsKey(required))
        {
            throw new ArgumentException($"{required} is required");
        }
    }

    return options;
}
