using System.Diagnostics.Metrics;
using System.Net;
using GLuCoSE.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace GLuCoSE.Server.Tests;

/// <summary>The GLuCoSE.Server meter: requests by route and status, their duration, texts and tokens per request.</summary>
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
}
