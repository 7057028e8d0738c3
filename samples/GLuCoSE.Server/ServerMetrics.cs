using System.Diagnostics;
using System.Diagnostics.Metrics;
using GLuCoSE.Server.Http;

namespace GLuCoSE.Server;

/// <summary>
/// The server's instruments, on the meter <c>GLuCoSE.Server</c> (created through <see cref="IMeterFactory"/>, so
/// OpenTelemetry's <c>AddMeter("GLuCoSE.Server")</c>, <c>dotnet-counters</c> or a <c>MeterListener</c> collect them).
/// </summary>
internal sealed class ServerMetrics
{
    public const string MeterName = "GLuCoSE.Server";

    private readonly Counter<long> _requests;
    private readonly UpDownCounter<long> _active;
    private readonly Histogram<double> _duration;
    private readonly Histogram<int> _inputs;
    private readonly Counter<long> _tokens;

    public ServerMetrics(IMeterFactory meterFactory, EmbeddingQueue queue)
    {
        Meter meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("glucose.server.requests", "{request}", "Requests answered, by route and status code.");
        _active = meter.CreateUpDownCounter<long>("glucose.server.requests.active", "{request}", "Requests in progress.");
        _duration = meter.CreateHistogram<double>("glucose.server.request.duration", "s", "Time from a request's arrival to its answer, by route and status code.");
        _inputs = meter.CreateHistogram<int>("glucose.server.request.inputs", "{text}", "Texts per embedding request (the batch a client sent).");
        _tokens = meter.CreateCounter<long>("glucose.server.tokens", "{token}", "Tokens embedded, <s> and </s> included, after truncation.");
        meter.CreateObservableUpDownCounter("glucose.server.queue.running", () => queue.Running, "{request}", "Embedding requests running (at most Glucose:Limits:MaxConcurrentRequests).");
        meter.CreateObservableUpDownCounter("glucose.server.queue.waiting", () => queue.Waiting, "{request}", "Embedding requests waiting for a turn (at most Glucose:Limits:MaxQueuedRequests).");
    }

    public void RequestStarted() => _active.Add(1);

    public void RequestEnded(string route, int statusCode, TimeSpan elapsed)
    {
        var tags = new TagList { { "http.route", route }, { "http.response.status_code", statusCode } };
        _active.Add(-1);
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>Records an embedding request that was served: its texts and their tokens.</summary>
    public void Embedded(string route, int texts, long tokens)
    {
        var tags = new TagList { { "http.route", route } };
        _inputs.Record(texts, tags);
        _tokens.Add(tokens, tags);
    }
}
