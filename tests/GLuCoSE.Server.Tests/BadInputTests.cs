using System.Net;
using System.Text;
using GLuCoSE.Server.Tests.Infrastructure;

namespace GLuCoSE.Server.Tests;

/// <summary>Whatever a client sends, it gets a 400 in its API's shape that says what was wrong, and the server lives on.</summary>
public sealed class BadInputTests(DefaultServerFixture fixture) : IClassFixture<DefaultServerFixture>
{
    public static TheoryData<string, string, string> Bodies => new()
    {
        // body, what the message must name, description
        { "", "not valid JSON", "empty body" },
        { "{\"input\": ", "not valid JSON", "cut short" },
        { "{'input': 'a'}", "not valid JSON", "single quotes" },
        { "[\"a\"]", "must be a JSON object", "an array body" },
        { "\"a\"", "must be a JSON object", "a string body" },
        { "{}", "is required", "no texts" },
        { "{\"INPUT\": null, \"inputs\": null, \"input\": null}", "is required", "null texts" },
        { "{\"input\": [], \"inputs\": []}", "empty array", "empty list" },
        { "{\"input\": {}, \"inputs\": {}}", "must be a string or an array of strings", "an object" },
        { "{\"input\": true, \"inputs\": true}", "must be a string or an array of strings", "a boolean" },
        { "{\"input\": [\"a\", null], \"inputs\": [\"a\", null]}", "[1]' must be a string; got null", "a null element" },
        { "{\"input\": [\"a\", {}], \"inputs\": [\"a\", {}]}", "[1]' must be a string; got an object", "an object element" },
        { "{\"input\": \"\\ud800\", \"inputs\": \"\\ud800\"}", "not valid Unicode", "a lone high surrogate" },
        { "{\"input\": [\"ok\", \"a\\udc00b\"], \"inputs\": [\"ok\", \"a\\udc00b\"]}", "[1]' is not valid Unicode", "a lone low surrogate" },
        { "{\"input\": \"\\ude00\\ud83d\", \"inputs\": \"\\ude00\\ud83d\"}", "not valid Unicode", "a reversed pair" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task PostEmbeddings_BadBody_Gets400AndServerLives(string body, string expected, string description)
    {
        string message = await Responses.OpenAIErrorAsync(await fixture.Server.PostBytesAsync("v1/embeddings", Encoding.UTF8.GetBytes(body)), HttpStatusCode.BadRequest);

        Assert.True(message.Contains(expected, StringComparison.Ordinal), $"{description}: '{message}' does not say '{expected}'");
        await AssertAliveAsync();
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task PostEmbed_BadBody_Gets400InTeiShapeAndServerLives(string body, string expected, string description)
    {
        string errorType = expected == "empty array" ? "empty" : "validation";
        string message = await Responses.TeiErrorAsync(await fixture.Server.PostBytesAsync("embed", Encoding.UTF8.GetBytes(body)), HttpStatusCode.BadRequest, errorType);

        Assert.True(message.Contains(expected, StringComparison.Ordinal), $"{description}: '{message}' does not say '{expected}'");
        await AssertAliveAsync();
    }

    [Theory]
    [InlineData("v1/embeddings")]
    [InlineData("embed")]
    public async Task Post_InvalidUtf8_Gets400(string path)
    {
        byte[] body = [.. "{\"input\": \""u8, 0xFF, 0xFE, .. "\", \"inputs\": \""u8, 0xC3, .. "\"}"u8];

        using HttpResponseMessage response = await fixture.Server.PostBytesAsync(path, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertAliveAsync();
    }

    [Theory]
    [InlineData("""{"input": "a", "model": 5}""", "'model' must be a string")]
    [InlineData("""{"input": "a", "user": []}""", "'user' must be a string")]
    [InlineData("""{"input": "a", "dimensions": "32"}""", "'dimensions' must be an integer")]
    [InlineData("""{"input": "a", "dimensions": 3.5}""", "'dimensions' must be an integer")]
    [InlineData("""{"input": "a", "encoding_format": 1}""", "'encoding_format' must be a string")]
    public async Task PostEmbeddings_WrongFieldType_Gets400NamingTheField(string body, string expected)
    {
        string message = await Responses.OpenAIErrorAsync(await fixture.Server.PostJsonAsync("v1/embeddings", body), HttpStatusCode.BadRequest);

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"inputs": "a", "normalize": "yes"}""", "'normalize' must be true or false")]
    [InlineData("""{"inputs": "a", "truncate": 1}""", "'truncate' must be true or false")]
    [InlineData("""{"inputs": "a", "prompt_name": 1}""", "'prompt_name' must be a string")]
    public async Task PostEmbed_WrongFieldType_Gets400NamingTheField(string body, string expected)
    {
        string message = await Responses.TeiErrorAsync(await fixture.Server.PostJsonAsync("embed", body), HttpStatusCode.BadRequest, "validation");

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    private async Task AssertAliveAsync()
    {
        using HttpResponseMessage response = await fixture.Server.PostJsonAsync("v1/embeddings", """{"input": "生きている"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
