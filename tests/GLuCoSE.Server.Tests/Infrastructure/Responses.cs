using System.Net;
using System.Text.Json;

namespace GLuCoSE.Server.Tests.Infrastructure;

/// <summary>Reads and checks the server's answers.</summary>
internal static class Responses
{
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        using JsonDocument document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>Checks an OpenAI-shaped error and returns its message.</summary>
    public static async Task<string> OpenAIErrorAsync(HttpResponseMessage response, HttpStatusCode expected, string? param = null)
    {
        JsonElement error = (await JsonAsync(response, expected)).GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("code", out _), "OpenAI's error has a 'code' (null allowed)");
        JsonElement actualParam = error.GetProperty("param");
        if (param is not null)
        {
            Assert.Equal(param, actualParam.GetString());
        }

        string message = error.GetProperty("message").GetString()!;
        AssertNoInternals(message);
        return message;
    }

    /// <summary>Checks a text-embeddings-inference-shaped error and returns its message.</summary>
    public static async Task<string> TeiErrorAsync(HttpResponseMessage response, HttpStatusCode expected, string errorType)
    {
        JsonElement body = await JsonAsync(response, expected);
        Assert.Equal(errorType, body.GetProperty("error_type").GetString());
        string message = body.GetProperty("error").GetString()!;
        AssertNoInternals(message);
        return message;
    }

    public static float[][] FloatVectors(JsonElement openAIResponse) =>
        [.. openAIResponse.GetProperty("data").EnumerateArray().Select(item => item.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray())];

    public static float[][] TeiVectors(JsonElement teiResponse) =>
        [.. teiResponse.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray())];

    public static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"component {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    public static void AssertNoInternals(string text)
    {
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", text, StringComparison.Ordinal);
    }
}
