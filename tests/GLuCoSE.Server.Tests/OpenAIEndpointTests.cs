using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using GLuCoSE.Server.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Embeddings;

namespace GLuCoSE.Server.Tests;

/// <summary>POST /v1/embeddings through the official OpenAI .NET client, Microsoft.Extensions.AI over it, and raw HTTP.</summary>
public sealed class OpenAIEndpointTests(DefaultServerFixture fixture) : IClassFixture<DefaultServerFixture>
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task OfficialClient_Texts_EqualInProcessEncodeOverBase64()
    {
        using var recorder = new RecordingHandler();
        EmbeddingClient client = Client(recorder);

        OpenAIEmbeddingCollection result = await client.GenerateEmbeddingsAsync(Sentences.Japanese, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("\"encoding_format\":\"base64\"", Assert.Single(recorder.Bodies), StringComparison.Ordinal);
        Assert.Equal(Sentences.Japanese.Length, result.Count);
        float[][] expected = fixture.Normalized.Encode(Sentences.Japanese);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(i, result[i].Index);
            Responses.AssertClose(expected[i], result[i].ToFloats().ToArray());
        }

        Assert.Equal(TokenCount(Sentences.Japanese), result.Usage.InputTokenCount);
        Assert.Equal(result.Usage.InputTokenCount, result.Usage.TotalTokenCount);
        Assert.Equal("tiny-random-luke", result.Model);
    }

    [Fact]
    public async Task OfficialClient_OneText_EqualsInProcessEncode()
    {
        EmbeddingClient client = Client();

        OpenAIEmbedding embedding = await client.GenerateEmbeddingAsync(Sentences.Japanese[0], cancellationToken: TestContext.Current.CancellationToken);

        Responses.AssertClose(fixture.Normalized.Encode(Sentences.Japanese[0]), embedding.ToFloats().ToArray());
    }

    [Fact]
    public async Task OfficialClient_ModelDimensions_Accepted()
    {
        EmbeddingClient client = Client();
        var options = new global::OpenAI.Embeddings.EmbeddingGenerationOptions { Dimensions = fixture.Normalized.Dimensions, EndUserId = "user-1" };

        OpenAIEmbedding embedding = await client.GenerateEmbeddingAsync(Sentences.Japanese[1], options, TestContext.Current.CancellationToken);

        Responses.AssertClose(fixture.Normalized.Encode(Sentences.Japanese[1]), embedding.ToFloats().ToArray());
    }

    [Fact]
    public async Task OfficialClient_OtherDimensions_Gets400NamingDimensions()
    {
        EmbeddingClient client = Client();
        var options = new global::OpenAI.Embeddings.EmbeddingGenerationOptions { Dimensions = 8 };

        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(
            () => client.GenerateEmbeddingAsync("今日は晴れです。", options, TestContext.Current.CancellationToken));

        Assert.Equal(400, error.Status);
        Assert.Contains("'dimensions' is 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmbeddingGenerator_OverOfficialClient_EqualsInProcessEncode()
    {
        IEmbeddingGenerator<string, Embedding<float>> generator = Client().AsIEmbeddingGenerator();

        GeneratedEmbeddings<Embedding<float>> result = await generator.GenerateAsync(Sentences.Japanese, cancellationToken: TestContext.Current.CancellationToken);

        float[][] expected = fixture.Normalized.Encode(Sentences.Japanese);
        Assert.Equal(expected.Length, result.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Responses.AssertClose(expected[i], result[i].Vector.ToArray());
        }

        Assert.Equal(TokenCount(Sentences.Japanese), result.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task Post_FloatFormat_OpenAIShapeWithUnitVectorsEqualToEncode()
    {
        string[] texts = [Sentences.Japanese[2], Sentences.Japanese[3]];
        string body = JsonSerializer.Serialize(new { input = texts, model = "anything", encoding_format = "float", user = "u" });

        JsonElement response = await Responses.JsonAsync(await Server.PostJsonAsync("v1/embeddings", body), HttpStatusCode.OK);

        Assert.Equal("list", response.GetProperty("object").GetString());
        Assert.Equal("tiny-random-luke", response.GetProperty("model").GetString());
        JsonElement[] data = [.. response.GetProperty("data").EnumerateArray()];
        Assert.Equal(2, data.Length);
        float[][] vectors = Responses.FloatVectors(response);
        for (int i = 0; i < data.Length; i++)
        {
            Assert.Equal("embedding", data[i].GetProperty("object").GetString());
            Assert.Equal(i, data[i].GetProperty("index").GetInt32());
            Responses.AssertClose(fixture.Normalized.Encode(texts[i]), vectors[i]);
            Assert.Equal(1.0, Math.Sqrt(vectors[i].Sum(v => (double)v * v)), 5);
        }

        JsonElement usage = response.GetProperty("usage");
        Assert.Equal(TokenCount(texts), usage.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(TokenCount(texts), usage.GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task Post_Base64_DecodesToTheFloatAnswer()
    {
        string text = Sentences.Japanese[3];
        JsonElement asFloat = await Responses.JsonAsync(
            await Server.PostJsonAsync("v1/embeddings", JsonSerializer.Serialize(new { input = text })), HttpStatusCode.OK);
        JsonElement asBase64 = await Responses.JsonAsync(
            await Server.PostJsonAsync("v1/embeddings", JsonSerializer.Serialize(new { input = text, encoding_format = "base64" })), HttpStatusCode.OK);

        byte[] bytes = Convert.FromBase64String(asBase64.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        float[] decoded = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < decoded.Length; i++)
        {
            decoded[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }

        Assert.Equal(Responses.FloatVectors(asFloat)[0], decoded);
    }

    [Fact]
    public async Task Post_OverLongText_TruncatedAsEncodeTruncates()
    {
        JsonElement response = await Responses.JsonAsync(
            await Server.PostJsonAsync("v1/embeddings", JsonSerializer.Serialize(new { input = new[] { Sentences.OverLong } })), HttpStatusCode.OK);

        Responses.AssertClose(fixture.Normalized.Encode(Sentences.OverLong), Responses.FloatVectors(response)[0]);
        Assert.Equal(fixture.Normalized.MaxSequenceLength, response.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{"input": [101, 102, 103]}""")]
    [InlineData("""{"input": [[101, 102], [103]]}""")]
    [InlineData("""{"input": 101}""")]
    public async Task Post_TokenIds_Gets400SayingTextOnly(string body)
    {
        string message = await Responses.OpenAIErrorAsync(await Server.PostJsonAsync("v1/embeddings", body), HttpStatusCode.BadRequest, "input");

        Assert.Contains("token ids", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_UnknownEncodingFormat_Gets400()
    {
        string message = await Responses.OpenAIErrorAsync(
            await Server.PostJsonAsync("v1/embeddings", """{"input": "a", "encoding_format": "int8"}"""), HttpStatusCode.BadRequest, "encoding_format");

        Assert.Contains("'float' or 'base64'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_HugeUnknownEncodingFormat_MessageQuotesOnlyItsStart()
    {
        string body = JsonSerializer.Serialize(new { input = "a", encoding_format = new string('x', 10_000) });

        using HttpResponseMessage response = await Server.PostJsonAsync("v1/embeddings", body);
        string raw = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(raw.Length < 500, $"the error echoes the whole value: {raw.Length} characters");
        Assert.Contains("'encoding_format' is 'xxxx", raw, StringComparison.Ordinal);
        Assert.Contains("(10000 characters)", raw, StringComparison.Ordinal);
    }

    private long TokenCount(IEnumerable<string> texts) =>
        texts.Sum(text => (long)fixture.Normalized.Tokenizer.EncodeToIds(text, fixture.Normalized.MaxSequenceLength).Length);

    private EmbeddingClient Client(HttpMessageHandler? handler = null)
    {
        var options = new OpenAIClientOptions { Endpoint = new Uri(Server.BaseAddress, "v1") };
        if (handler is not null)
        {
            options.Transport = new HttpClientPipelineTransport(new HttpClient(handler, disposeHandler: false));
        }

        return new EmbeddingClient("glucose", new ApiKeyCredential("any key"), options);
    }
}
