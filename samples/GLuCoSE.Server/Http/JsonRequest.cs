using System.Text.Json;

namespace GLuCoSE.Server.Http;

/// <summary>
/// Reads a request body as a JSON object and its fields with messages that name the field, the type expected and the
/// type found. Whatever a client sends, a malformed body, a wrong type, an empty list or text that is not valid Unicode
/// ends as a <see cref="ApiException"/> (400), never as a fault of the server's.
/// </summary>
internal static class JsonRequest
{
    /// <summary>Reads the whole body (Kestrel stops it at the body limit) as a JSON object.</summary>
    public static async Task<JsonDocument> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            // The reader's message gives the line and byte of the fault; it holds nothing of the server's.
            throw new ApiException(ApiErrorKind.InvalidRequest, $"The request body is not valid JSON: {ex.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            JsonValueKind kind = document.RootElement.ValueKind;
            document.Dispose();
            throw new ApiException(ApiErrorKind.InvalidRequest, $"The request body must be a JSON object; got {Describe(kind)}.");
        }

        return document;
    }

    /// <summary>
    /// The texts of <paramref name="name"/>: a string, or a non-empty array of strings within the limits. Token ids
    /// (OpenAI's arrays of integers) are refused: this server takes text.
    /// </summary>
    public static string[] Texts(JsonElement body, string name, ServerLimits limits)
    {
        if (!body.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new ApiException(ApiErrorKind.InvalidRequest, $"'{name}' is required: a string or an array of strings.", name);
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return [Text(value, name, limits)];
            case JsonValueKind.Array:
                int count = value.GetArrayLength();
                if (count == 0)
                {
                    throw new ApiException(ApiErrorKind.Empty, $"'{name}' is an empty array; send at least one string.", name);
                }

                if (count > limits.MaxInputsPerRequest)
                {
                    throw new ApiException(
                        ApiErrorKind.InvalidRequest,
                        $"'{name}' has {count} texts; the limit is {limits.MaxInputsPerRequest} per request ({ServerLimits.Key(nameof(ServerLimits.MaxInputsPerRequest))}). Split the texts over several requests.",
                        name);
                }

                var texts = new string[count];
                int i = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    string path = $"{name}[{i}]";
                    texts[i++] = item.ValueKind switch
                    {
                        JsonValueKind.String => Text(item, path, limits),
                        JsonValueKind.Number or JsonValueKind.Array => throw TokenIds(name),
                        _ => throw new ApiException(ApiErrorKind.InvalidRequest, $"'{path}' must be a string; got {Describe(item.ValueKind)}.", name),
                    };
                }

                return texts;
            case JsonValueKind.Number:
                throw TokenIds(name);
            default:
                throw new ApiException(ApiErrorKind.InvalidRequest, $"'{name}' must be a string or an array of strings; got {Describe(value.ValueKind)}.", name);
        }
    }

    /// <summary>An optional string field; null when absent or null.</summary>
    public static string? OptionalString(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? CheckedString(value, name)
            : throw new ApiException(ApiErrorKind.InvalidRequest, $"'{name}' must be a string; got {Describe(value.ValueKind)}.", name);
    }

    /// <summary>An optional boolean field; null when absent or null.</summary>
    public static bool? OptionalBoolean(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ApiException(ApiErrorKind.InvalidRequest, $"'{name}' must be true or false; got {Describe(value.ValueKind)}.", name),
        };
    }

    /// <summary>An optional integer field; null when absent or null.</summary>
    public static int? OptionalInt32(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
            ? number
            : throw new ApiException(ApiErrorKind.InvalidRequest, $"'{name}' must be an integer; got {Describe(value.ValueKind)} {value.GetRawText()}.", name);
    }

    private static string Text(JsonElement value, string path, ServerLimits limits)
    {
        string text = CheckedString(value, path);
        if (text.Length > limits.MaxInputCharacters)
        {
            throw new ApiException(
                ApiErrorKind.InvalidRequest,
                $"'{path}' has {text.Length} characters; the limit is {limits.MaxInputCharacters} ({ServerLimits.Key(nameof(ServerLimits.MaxInputCharacters))}). Texts over the model's token limit are truncated anyway; send less.",
                ParamOf(path));
        }

        return text;
    }

    // JSON can carry what is not text: an escaped lone surrogate ("\ud800", "\udc00") or bytes that are not UTF-8.
    // System.Text.Json refuses both when the string is read (InvalidOperationException), so no such text reaches the
    // embedder.
    private static string CheckedString(JsonElement value, string path)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new ApiException(
                ApiErrorKind.InvalidRequest,
                $"'{path}' is not valid Unicode text (an unpaired surrogate, or bytes that are not UTF-8): {ex.Message}",
                ParamOf(path));
        }
    }

    private static ApiException TokenIds(string name) => new(
        ApiErrorKind.InvalidRequest,
        $"'{name}' holds token ids; this server embeds text only: send a string or an array of strings.",
        name);

    private static string ParamOf(string path) => path.IndexOf('[', StringComparison.Ordinal) is int bracket and >= 0 ? path[..bracket] : path;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
