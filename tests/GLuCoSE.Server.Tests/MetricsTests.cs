using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using GLuCoSE.Server.Http;
using GLuCoSE.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace GLuCoSE.Server.Tests;

/// <summary>
/// The GLuCoSE.Server meter: requests by route and status (499 for a client that went away), their duration, texts
/// and tokens per request.
/// </summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Requests_Served_CountedTimedAndSized()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        var meters = server.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meters, ServerMetrics.MeterName, "glucose.server.requests");
        using var duration = new MetricCollector<double>(meters, ServerMetrics.MeterName, "glucose.server.request.duration");
        using var inputs = new MetricCollector<int>(meters, ServerMetrics.MeterName, "glucose.server.request.inputs");
        using var tokens = new MetricCollector<long>(meters, ServerMetrics.MeterName, "glucose.server.tokens");

        using HttpResponseMessage three = await server.PostJsonAsync("v1/embeddings", """{"input": ["a", "b", "c"]}""");
        using HttpResponseMessage one = await server.PostJsonAsync("embed", """{"inputs": "a"}""");
        using HttpResponseMessage bad = await server.PostJsonAsync("v1/embeddings", """{"input": []}""");
        Assert.Equal(HttpStatusCode.OK, three.StatusCode);

        // The counter is written after the response is sent: wait for the third measurement, not for a time.
        await requests.WaitForMeasurementsAsync(3, RunningServer.HangGuard);
        var byRouteAndStatus = requests.GetMeasurementSnapshot()
            .Select(m => ($"{m.Tags["http.route"]}", Convert.ToInt32(m.Tags["http.response.status_code"], System.Globalization.CultureInfo.InvariantCulture)))
            .Order()
            .ToArray();
        Assert.Equal([("/embed", 200), ("/v1/embeddings", 200), ("/v1/embeddings", 400)], byRouteAndStatus);
        Assert.All(duration.GetMeasurementSnapshot(), m => Assert.True(m.Value > 0));
        Assert.Equal([1, 3], inputs.GetMeasurementSnapshot().Select(m => m.Value).Order());
        using GlucoseEmbedder reference = GlucoseEmbedder.Create(GLuCoSE.Tests.Infrastructure.TestPaths.TinyModel);
        long expectedTokens = new[] { "a", "b", "c", "a" }.Sum(text => (long)reference.Tokenizer.EncodeToIds(text).Length);
        Assert.Equal(expectedTokens, tokens.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Theory]
    [InlineData("v1/embeddings")]
    [InlineData("embed")]
    public async Task Request_ClientDisconnectsWhileQueued_CountedAs499(string path)
    {
        // One request runs (its body held back) and the other waits for its turn until its client gives up: no timing,
        // each step waits for the state the next one needs.
        await using RunningServer server = await RunningServer.StartAsync(
            ["--Glucose:Limits:MaxConcurrentRequests", "1", "--Glucose:Limits:MaxQueuedRequests", "1"]);
        EmbeddingQueue queue = server.Services.GetRequiredService<EmbeddingQueue>();
        using var requests = new MetricCollector<long>(server.Services.GetRequiredService<IMeterFactory>(), ServerMetrics.MeterName, "glucose.server.requests");
        using HeldRequest held = await HeldRequest.HoldAsync(
            server.Client, path, """{"input": "待っている", "inputs": "待っている"}""", () => WaitUntilAsync(() => queue.Running == 1));
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = RunningServer.HangGuard };
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var body = new StringContent("""{"input": "諦める", "inputs": "諦める"}""", Encoding.UTF8, "application/json");
        Task<HttpResponseMessage> queued = client.PostAsync(path, body, giveUp.Token);
        await WaitUntilAsync(() => queue.Waiting == 1);

        await giveUp.CancelAsync();   // HttpClient closes the connection of a canceled request

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        await WaitUntilAsync(() => requests.GetMeasurementSnapshot().Any(m => Route(m) == "/" + path));
        CollectedMeasurement<long> aborted = Assert.Single(requests.GetMeasurementSnapshot(), m => Route(m) == "/" + path);
        Assert.Equal(499, StatusCode(aborted));
        Assert.Equal(0, queue.Waiting);
        held.Release();
        using HttpResponseMessage completed = await held.Response.WaitAsync(RunningServer.HangGuard, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        await WaitUntilAsync(() => requests.GetMeasurementSnapshot().Count(m => Route(m) == "/" + path) == 2);
        Assert.Equal([200, 499], requests.GetMeasurementSnapshot().Where(m => Route(m) == "/" + path).Select(StatusCode).Order());
    }

    private static string Route(CollectedMeasurement<long> measurement) => $"{measurement.Tags["http.route"]}";

    private static int StatusCode(CollectedMeasurement<long> measurement) =>
        Convert.ToInt32(measurement.Tags["http.response.status_code"], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var hangGuard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        hangGuard.CancelAfter(RunningServer.HangGuard);
        while (!condition())
        {
            await Task.Delay(5, hangGuard.Token);
        }
    }
}
