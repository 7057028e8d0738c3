using System.Net;
using System.Text.Json;
using GLuCoSE.Server.Tests.Infrastructure;

namespace GLuCoSE.Server.Tests;

/// <summary>POST /embed and GET /info, text-embeddings-inference's API.</summary>
public sealed class TeiEndpointTests(DefaultServerFixture fixture) : IClassFixture<DefaultServerFixture>
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task Embed_OneString_ArrayOfOneUnitVector()
    {
        JsonElement response = await Responses.JsonAsync(
            await Server.PostJsonAsync("embed", JsonSerializer.Serialize(new { inputs = Sentences.Japanese[0] })), HttpStatusCode.OK);

        float[][] vectors = Responses.TeiVectors(response);
        Responses.AssertClose(fixture.Normalized.Encode(Sentences.Japanese[0]), Assert.Single(vectors));
    }

    [Fact]
    public async Task Embed_Strings_EqualEncodeInOrder()
    {
        JsonElement response = await Responses.JsonAsync(
            await Server.PostJsonAsync("embed", JsonSerializer.Serialize(new { inputs = Sentences.Japanese, normalize = true })), HttpStatusCode.OK);

        float[][] vectors = Responses.TeiVectors(response);
        float[][] expected = fixture.Normalized.Encode(Sentences.Japanese);
        Assert.Equal(expected.Length, vectors.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Responses.AssertClose(expected[i], vectors[i]);
        }
    }

    [Fact]
    public async Task Embed_NormalizeFalse_EqualsRawEncode()
    {
        string[] texts = [Sentences.Japanese[1], Sentences.Japanese[3]];
        JsonElement response = await Responses.JsonAsync(
            await Server.PostJsonAsync("embed", JsonSerializer.Serialize(new { inputs = texts, normalize = false })), HttpStatusCode.OK);

        float[][] vectors = Responses.TeiVectors(response);
        float[][] expected = fixture.Raw.Encode(texts);
        Assert.NotEqual(1.0, Math.Sqrt(expected[0].Sum(v => (double)v * v)), 3);
        Responses.AssertClose(expected[0], vectors[0]);
        Responses.AssertClose(expected[1], vectors[1]);
    }

    [Fact]
    public async Task Embed_PromptName_EqualsEncodeWithThePrompt()
    {
        JsonElement response = await Responses.JsonAsync(
            await Server.PostJsonAsync("embed", JsonSerializer.Serialize(new { inputs = new[] { "東京の天気は？", "猫" }, prompt_name = "query" })), HttpStatusCode.OK);

        float[][] vectors = Responses.TeiVectors(response);
        float[][] expected = fixture.Normalized.Encode(["東京の天気は？", "猫"], "query");
        Responses.AssertClose(expected[0], vectors[0]);
        Responses.AssertClose(expected[1], vectors[1]);
        Assert.NotEqual(fixture.Normalized.Encode("東京の天気は？")[0], vectors[0][0]);
    }

    [Fact]
    public async Task Embed_UnknownPromptName_Gets400NamingTheConfiguredOnes()
    {
        string message = await Responses.TeiErrorAsync(
            await Server.PostJsonAsync("embed", """{"inputs": "a", "prompt_name": "passage"}"""), HttpStatusCode.BadRequest, "validation");

        Assert.Contains("'passage'", message, StringComparison.Ordinal);
        Assert.Contains("configured: query", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embed_TruncateFalseOverLong_Gets400NamingTheTokenLimit()
    {
        string body = JsonSerializer.Serialize(new { inputs = new[] { "短い。", Sentences.OverLong }, truncate = false });

        string message = await Responses.TeiErrorAsync(await Server.PostJsonAsync("embed", body), HttpStatusCode.BadRequest, "validation");

        Assert.Contains("'inputs[1]'", message, StringComparison.Ordinal);
        Assert.Contains($"{fixture.Normalized.MaxSequenceLength} tokens", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embed_TruncateFalseWithinLimit_Embeds()
    {
        JsonElement response = await Responses.JsonAsync(
            await Server.PostJsonAsync("embed", JsonSerializer.Serialize(new { inputs = Sentences.Japanese[3], truncate = false })), HttpStatusCode.OK);

        Responses.AssertClose(fixture.Normalized.Encode(Sentences.Japanese[3]), Responses.TeiVectors(response)[0]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(null)]
    public async Task Embed_TruncateTrueOrAbsent_OverLongTruncatedAsEncode(bool? truncate)
    {
        string body = truncate is null
            ? JsonSerializer.Serialize(new { inputs = Sentences.OverLong })
            : JsonSerializer.Serialize(new { inputs = Sentences.OverLong, truncate });

        JsonElement response = await Responses.JsonAsync(await Server.PostJsonAsync("embed", body), HttpStatusCode.OK);

        Responses.AssertClose(fixture.Normalized.Encode(Sentences.OverLong), Responses.TeiVectors(response)[0]);
    }

    [Fact]
    public async Task Embed_LeftTruncation_Gets400()
    {
        string message = await Responses.TeiErrorAsync(
            await Server.PostJsonAsync("embed", """{"inputs": "a", "truncation_direction": "Left"}"""), HttpStatusCode.BadRequest, "validation");

        Assert.Contains("truncation_direction", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_Get_ModelDimensionsTokensAndBatchSettings()
    {
        JsonElement info = await Responses.JsonAsync(await Server.Client.GetAsync("info", TestContext.Current.CancellationToken), HttpStatusCode.OK);

        Assert.Equal("tiny-random-luke", info.GetProperty("model_id").GetString());
        Assert.Equal(fixture.Normalized.Dimensions, info.GetProperty("dimensions").GetInt32());
        Assert.Equal(fixture.Normalized.MaxSequenceLength, info.GetProperty("max_input_length").GetInt32());
        Assert.Equal("mean", info.GetProperty("model_type").GetProperty("embedding").GetProperty("pooling").GetString());
        Assert.Equal(2048, info.GetProperty("max_client_batch_size").GetInt32());
        Assert.Equal(64, info.GetProperty("max_concurrent_requests").GetInt32());
        Assert.Equal(256, info.GetProperty("max_queued_requests").GetInt32());
        Assert.Equal(128, info.GetProperty("max_batch_requests").GetInt32());
        Assert.Equal(1024, info.GetProperty("max_batch_tokens").GetInt32());
    }

    [Fact]
    public async Task Health_Loaded_200()
    {
        JsonElement health = await Responses.JsonAsync(await Server.Client.GetAsync("health", TestContext.Current.CancellationToken), HttpStatusCode.OK);

        Assert.Equal("ok", health.GetProperty("status").GetString());
    }
}
