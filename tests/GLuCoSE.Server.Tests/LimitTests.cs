using System.Net;
using System.Text.Json;
using GLuCoSE.Server.Http;
using GLuCoSE.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GLuCoSE.Server.Tests;

/// <summary>The request limits: each refusal names its setting, and overload gets 503 with Retry-After.</summary>
public sealed class LimitTests
{
    [Theory]
    [InlineData("v1/embeddings", true)]
    [InlineData("embed", false)]
    public async Task Post_BodyOverLimit_Gets413NamingTheLimit(string path, bool openAI)
    {
        await using RunningServer server = await RunningServer.StartAsync(["--Glucose:Limits:MaxRequestBodyBytes", "1000"]);
        string body = JsonSerializer.Serialize(new { input = new string('あ', 600), inputs = "a" });

        using HttpResponseMessage response = await server.PostJsonAsync(path, body);

        string message = openAI
            ? await Responses.OpenAIErrorAsync(response, HttpStatusCode.RequestEntityTooLarge)
            : await Responses.TeiErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "validation");
        Assert.Contains("Glucose:Limits:MaxRequestBodyBytes", message, StringComparison.Ordinal);
        Assert.Contains("1000 bytes", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ChunkedBodyOverLimit_Gets413()
    {
        await using RunningServer server = await RunningServer.StartAsync(["--Glucose:Limits:MaxRequestBodyBytes", "1000"]);
        using var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { input = new string('a', 5000) }))));

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/embeddings") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using HttpResponseMessage response = await server.Client.SendAsync(request, TestContext.Current.CancellationToken);

        await Responses.OpenAIErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("v1/embeddings", "input")]
    [InlineData("embed", "inputs")]
    public async Task Post_MoreInputsThanLimit_Gets400NamingTheLimit(string path, string field)
    {
        await using RunningServer server = await RunningServer.StartAsync(["--Glucose:Limits:MaxInputsPerRequest", "3"]);

        using HttpResponseMessage atLimit = await server.PostJsonAsync(path, JsonSerializer.Serialize(new Dictionary<string, string[]> { [field] = ["a", "b", "c"] }));
        using HttpResponseMessage overLimit = await server.PostJsonAsync(path, JsonSerializer.Serialize(new Dictionary<string, string[]> { [field] = ["a", "b", "c", "d"] }));

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        string message = await Responses.JsonAsync(overLimit, HttpStatusCode.BadRequest) is var body && body.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object
            ? error.GetProperty("message").GetString()!
            : body.GetProperty("error").GetString()!;
        Assert.Contains("has 4 texts", message, StringComparison.Ordinal);
        Assert.Contains("Glucose:Limits:MaxInputsPerRequest", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_TextOverCharacterLimit_Gets400NamingTheLimitAndIndex()
    {
        await using RunningServer server = await RunningServer.StartAsync(["--Glucose:Limits:MaxInputCharacters", "10"]);

        using HttpResponseMessage atLimit = await server.PostJsonAsync("v1/embeddings", JsonSerializer.Serialize(new { input = new[] { "a", new string('b', 10) } }));
        using HttpResponseMessage overLimit = await server.PostJsonAsync("v1/embeddings", JsonSerializer.Serialize(new { input = new[] { "a", new string('b', 11) } }));

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        string message = await Responses.OpenAIErrorAsync(overLimit, HttpStatusCode.BadRequest, "input");
        Assert.Contains("'input[1]' has 11 characters", message, StringComparison.Ordinal);
        Assert.Contains("Glucose:Limits:MaxInputCharacters", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1/embeddings", true)]
    [InlineData("embed", false)]
    public async Task Post_QueueFull_Gets503WithRetryAfterAndTheQueuedRequestCompletes(string path, bool openAI)
    {
        await using RunningServer server = await RunningServer.StartAsync(
            ["--Glucose:Limits:MaxConcurrentRequests", "1", "--Glucose:Limits:MaxQueuedRequests", "0"]);
        EmbeddingQueue queue = server.Services.GetRequiredService<EmbeddingQueue>();
        using HeldRequest held = await HeldRequest.HoldAsync(
            server.Client, path, """{"input": "待っている", "inputs": "待っている"}""", () => WaitUntilAsync(() => queue.Running == 1));

        using HttpResponseMessage refused = await server.PostJsonAsync(path, """{"input": "後から", "inputs": "後から"}""");

        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        string message = openAI
            ? await Responses.OpenAIErrorAsync(refused, HttpStatusCode.ServiceUnavailable)
            : await Responses.TeiErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "overloaded");
        Assert.Contains("Glucose:Limits:MaxQueuedRequests", message, StringComparison.Ordinal);
        held.Release();
        using HttpResponseMessage completed = await held.Response.WaitAsync(RunningServer.HangGuard, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        using HttpResponseMessage after = await server.PostJsonAsync(path, """{"input": "空いた", "inputs": "空いた"}""");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Post_32ConcurrentSingleTextCallersOnDefaults_AllServedEqualToEncode()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using GlucoseEmbedder reference = GlucoseEmbedder.Create(GLuCoSE.Tests.Infrastructure.TestPaths.TinyModel, new GlucoseEmbedderOptions { NormalizeEmbeddings = true });
        string[] texts = [.. Enumerable.Range(0, 32).Select(i => $"{i}番目の文です。")];
        using var start = new SemaphoreSlim(0);

        Task<HttpResponseMessage>[] calls = [.. texts.Select(async text =>
        {
            await start.WaitAsync(TestContext.Current.CancellationToken);
            return await server.PostJsonAsync("v1/embeddings", JsonSerializer.Serialize(new { input = text }));
        })];
        start.Release(texts.Length);
        HttpResponseMessage[] responses = await Task.WhenAll(calls).WaitAsync(RunningServer.HangGuard, TestContext.Current.CancellationToken);

        for (int i = 0; i < texts.Length; i++)
        {
            using HttpResponseMessage response = responses[i];
            JsonElement body = await Responses.JsonAsync(response, HttpStatusCode.OK);
            Responses.AssertClose(reference.Encode(texts[i]), Responses.FloatVectors(body)[0]);
        }
    }

    [Theory]
    [InlineData("Glucose:Limits:MaxInputsPerRequest", "many")]
    [InlineData("Glucose:ShutdownTimeout", "soon")]
    [InlineData("Glucose:Embedder:ExecutionProvider", "Gpu")]
    [InlineData("Glucose:Embedder:BatchSize", "1.5")]
    public async Task Build_ValueOfWrongType_ConfigurationErrorNamingKeyAndValue(string key, string value)
    {
        var error = await Assert.ThrowsAsync<ServerConfigurationException>(() => RunningServer.StartAsync([$"--{key}", value]));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MaxRequestBodyBytes", "0")]
    [InlineData("MaxInputsPerRequest", "0")]
    [InlineData("MaxInputCharacters", "-1")]
    [InlineData("MaxConcurrentRequests", "0")]
    [InlineData("MaxQueuedRequests", "-1")]
    public async Task Build_LimitOutOfRange_ConfigurationErrorNamingIt(string limit, string value)
    {
        var error = await Assert.ThrowsAsync<ServerConfigurationException>(() => RunningServer.StartAsync([$"--Glucose:Limits:{limit}", value]));

        Assert.Contains($"Glucose:Limits:{limit}", error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
