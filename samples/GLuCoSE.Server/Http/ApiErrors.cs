using System.Text.Encodings.Web;
using System.Text.Json;

namespace GLuCoSE.Server.Http;

/// <summary>
/// Writes an error in the shape of the API the request was for: OpenAI's <c>{"error": {message, type, param, code}}</c>
/// under <c>/v1/</c>, text-embeddings-inference's <c>{"error", "error_type"}</c> elsewhere.
/// </summary>
internal static class ApiErrors
{
    /// <summary>The seconds a client is told to wait (Retry-After) when the server is overloaded or loading.</summary>
    public const int RetryAfterSeconds = 1;

    // Messages quote field names ('input'): escaped only as JSON requires, not for embedding in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Whether <paramref name="path"/> belongs to the OpenAI-compatible API.</summary>
    public static bool IsOpenAI(PathString path) => path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase);

    public static int StatusCode(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.InvalidRequest or ApiErrorKind.Empty => StatusCodes.Status400BadRequest,
        ApiErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ApiErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ApiErrorKind.Overloaded or ApiErrorKind.Loading => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Writes the error as the response (status, headers and body); the response must not have started.</summary>
    public static async Task WriteAsync(HttpContext context, ApiErrorKind kind, string message, string? param = null)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCode(kind);
        response.ContentType = "application/json";
        if (kind is ApiErrorKind.Overloaded or ApiErrorKind.Loading)
        {
            response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (kind == ApiErrorKind.Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            writer.WriteStartObject();
            if (IsOpenAI(context.Request.Path))
            {
                writer.WriteStartObject("error");
                writer.WriteString("message", message);
                writer.WriteString("type", kind is ApiErrorKind.Internal or ApiErrorKind.Overloaded or ApiErrorKind.Loading ? "server_error" : "invalid_request_error");
                writer.WriteString("param", param);
                writer.WriteString("code", OpenAICode(kind));
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("error", message);
                writer.WriteString("error_type", TeiErrorType(kind));
            }

            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A value the client sent, quoted for a message: at most 64 characters of it.</summary>
    public static string Quote(string value) => value.Length <= 64 ? $"'{value}'" : $"'{value[..64]}...' ({value.Length} characters)";

    private static string? OpenAICode(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.Unauthorized => "invalid_api_key",
        ApiErrorKind.TooLarge => "request_too_large",
        ApiErrorKind.Overloaded => "overloaded",
        ApiErrorKind.Loading => "model_loading",
        _ => null,
    };

    // text-embeddings-inference's ErrorType names; "unauthorized" is this server's own (TEI has no API key).
    private static string TeiErrorType(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.Empty => "empty",
        ApiErrorKind.Unauthorized => "unauthorized",
        ApiErrorKind.Overloaded => "overloaded",
        ApiErrorKind.Loading => "unhealthy",
        ApiErrorKind.Internal => "backend",
        _ => "validation",
    };
}
