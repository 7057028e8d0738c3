using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using GLuCoSE.Server.Tests.Infrastructure;
using OpenAI;
using OpenAI.Embeddings;

namespace GLuCoSE.Server.Tests;

/// <summary>With an API key configured, every endpoint but /health wants <c>Authorization: Bearer KEY</c>.</summary>
public sealed class AuthTests
{
    private const string Key = "s3cret-key-9";

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong")]
    [InlineData("Bearer s3cret-key")]
    [InlineData("Bearer s3cret-key-9-and-more")]
    [InlineData("Basic s3cret-key-9")]
    [InlineData("s3cret-key-9")]
    public async Task Endpoints_MissingOrWrongKey_Get401InTheirShape(string? authorization)
    {
        await using RunningServer server = await StartAsync();

        using var openAI = Request(HttpMethod.Post, "v1/embeddings", authorization);
        using HttpResponseMessage openAIResponse = await server.Client.SendAsync(openAI, TestContext.Current.CancellationToken);
        await Responses.OpenAIErrorAsync(openAIResponse, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", Assert.Single(openAIResponse.Headers.WwwAuthenticate).Scheme);

        using var tei = Request(HttpMethod.Post, "embed", authorization);
        await Responses.TeiErrorAsync(await server.Client.SendAsync(tei, TestContext.Current.CancellationToken), HttpStatusCode.Unauthorized, "unauthorized");

        using var info = Request(HttpMethod.Get, "info", authorization);
        await Responses.TeiErrorAsync(await server.Client.SendAsync(info, TestContext.Current.CancellationToken), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Health_NoKey_200()
    {
        await using RunningServer server = await StartAsync();

        using HttpResponseMessage response = await server.Client.GetAsync("health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("Bearer " + Key)]
    [InlineData("bearer " + Key)]
    public async Task Endpoints_RightKey_Served(string authorization)
    {
        await using RunningServer server = await StartAsync();

        using var tei = Request(HttpMethod.Post, "embed", authorization);
        using HttpResponseMessage teiResponse = await server.Client.SendAsync(tei, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, teiResponse.StatusCode);

        using var info = Request(HttpMethod.Get, "info", authorization);
        using HttpResponseMessage infoResponse = await server.Client.SendAsync(info, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, infoResponse.StatusCode);
    }

    [Fact]
    public async Task OfficialClient_RightKey_ServedAndWrongKeyRefused()
    {
        await using RunningServer server = await StartAsync();
        var options = new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "v1") };

        OpenAIEmbedding embedding = await new EmbeddingClient("m", new ApiKeyCredential(Key), options)
            .GenerateEmbeddingAsync("今日は晴れです。", cancellationToken: TestContext.Current.CancellationToken);
        ClientResultException refused = await Assert.ThrowsAsync<ClientResultException>(() => new EmbeddingClient("m", new ApiKeyCredential("nope"), options)
            .GenerateEmbeddingAsync("今日は晴れです。", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(32, embedding.ToFloats().Length);
        Assert.Equal(401, refused.Status);
        Assert.DoesNotContain(Key, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("key with spaces")]
    [InlineData("schlüssel")]
    public async Task Build_KeyNoHeaderCanCarry_ConfigurationErrorNamingTheSetting(string key)
    {
        var error = await Assert.ThrowsAsync<ServerConfigurationException>(() => RunningServer.StartAsync(["--Glucose:ApiKey", key]));

        Assert.Contains("Glucose:ApiKey", error.Message, StringComparison.Ordinal);
    }

    private static Task<RunningServer> StartAsync() => RunningServer.StartAsync(["--Glucose:ApiKey", Key]);

    private static HttpRequestMessage Request(HttpMethod method, string path, string? authorization)
    {
        var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("""{"inputs": "a", "input": "a"}""", System.Text.Encoding.UTF8, "application/json");
        }

        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }
}
