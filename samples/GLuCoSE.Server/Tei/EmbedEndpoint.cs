using System.Text.Json;
using GLuCoSE.Server.Embedding;
using GLuCoSE.Server.Http;

namespace GLuCoSE.Server.Tei;

/// <summary>
/// <c>POST /embed</c>: text-embeddings-inference's embed API. Body <c>{inputs, normalize = true, truncate = true,
/// prompt_name}</c>; the answer is an array of vectors (<c>[[...]]</c>), one per text, also for a single string.
/// </summary>
internal static class EmbedEndpoint
{
    public const string Route = "/embed";

    // Flush the response to the socket every so many vectors, so a large answer does not pile up in memory.
    private const int VectorsPerFlush = 32;

    public static async Task HandleAsync(HttpContext context, EmbeddingService service, ServerOptions options)
    {
        CancellationToken cancellationToken = context.RequestAborted;
        using JsonDocument document = await JsonRequest.ReadObjectAsync(context.Request, cancellationToken).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        string[] texts = JsonRequest.Texts(body, "inputs", options.Limits);
        bool normalize = JsonRequest.OptionalBoolean(body, "normalize") ?? true;
        bool truncate = JsonRequest.OptionalBoolean(body, "truncate") ?? true;
        string? promptName = JsonRequest.OptionalString(body, "prompt_name");
        if (JsonRequest.OptionalString(body, "truncation_direction") is string direction && !direction.Equals("right", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(ApiErrorKind.InvalidRequest, $"'truncation_direction' is {ApiErrors.Quote(direction)}; this server keeps a text's first tokens ('right') only.", "truncation_direction");
        }

        EmbeddingResult result = await service.EmbedAsync(
            texts,
            new EmbeddingRequest(Route, "inputs", promptName, truncate, normalize),
            cancellationToken).ConfigureAwait(false);

        context.Response.ContentType = "application/json";
        using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartArray();
        for (int i = 0; i < result.Vectors.Length; i++)
        {
            writer.WriteStartArray();
            foreach (float value in result.Vectors[i])
            {
                writer.WriteNumberValue(value);
            }

            writer.WriteEndArray();
            if ((i + 1) % VectorsPerFlush == 0)
            {
                writer.Flush();
                await context.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        writer.Flush();
        await context.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
