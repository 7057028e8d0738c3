using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using GLuCoSE.Server.Embedding;
using GLuCoSE.Server.Http;
using GLuCoSE.Server.Model;

namespace GLuCoSE.Server.OpenAI;

/// <summary>
/// <c>POST /v1/embeddings</c>: OpenAI's embeddings API. <c>input</c> is a string or an array of strings;
/// <c>encoding_format</c> is <c>float</c> (the default) or <c>base64</c> (little-endian float32 bytes, what the
/// official clients ask for); <c>dimensions</c> may only be the model's; <c>model</c> and <c>user</c> are accepted
/// and not used. Vectors are unit length, as OpenAI's are.
/// </summary>
internal static class EmbeddingsEndpoint
{
    public const string Route = "/v1/embeddings";

    // Flush the response to the socket every so many vectors, so a large answer does not pile up in memory.
    private const int VectorsPerFlush = 32;

    public static async Task HandleAsync(HttpContext context, EmbeddingService service, EmbedderHost host, ServerOptions options)
    {
        CancellationToken cancellationToken = context.RequestAborted;
        using JsonDocument document = await JsonRequest.ReadObjectAsync(context.Request, cancellationToken).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        string[] texts = JsonRequest.Texts(body, "input", options.Limits);
        JsonRequest.OptionalString(body, "model");
        JsonRequest.OptionalString(body, "user");
        bool base64 = JsonRequest.OptionalString(body, "encoding_format") switch
        {
            null or "float" => false,
            "base64" => true,
            string other => throw new ApiException(ApiErrorKind.InvalidRequest, $"'encoding_format' is {ApiErrors.Quote(other)}; it must be 'float' or 'base64'.", "encoding_format"),
        };
        if (JsonRequest.OptionalInt32(body, "dimensions") is int dimensions)
        {
            int modelDimensions = host.Require().Dimensions;
            if (dimensions != modelDimensions)
            {
                throw new ApiException(
                    ApiErrorKind.InvalidRequest,
                    $"'dimensions' is {dimensions}, but this model makes {modelDimensions}-dimensional embeddings and cannot shorten them; leave 'dimensions' out or set it to {modelDimensions}.",
                    "dimensions");
            }
        }

        EmbeddingResult result = await service.EmbedAsync(
            texts,
            new EmbeddingRequest(Route, "input", PromptName: null, Truncate: true, Normalize: true),
            cancellationToken).ConfigureAwait(false);

        context.Response.ContentType = "application/json";
        using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        for (int i = 0; i < result.Vectors.Length; i++)
        {
            writer.WriteStartObject();
            writer.WriteString("object", "embedding");
            writer.WriteNumber("index", i);
            writer.WritePropertyName("embedding");
            if (base64)
            {
                WriteBase64(writer, result.Vectors[i]);
            }
            else
            {
                writer.WriteStartArray();
                foreach (float value in result.Vectors[i])
                {
                    writer.WriteNumberValue(value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            if ((i + 1) % VectorsPerFlush == 0)
            {
                writer.Flush();
                await context.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        writer.WriteString("model", result.ModelId);
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", result.Tokens);
        writer.WriteNumber("total_tokens", result.Tokens);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        await context.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    // base64 of the vector's float32 values, little-endian, as OpenAI sends them (numpy.frombuffer(..., "<f4")).
    private static void WriteBase64(Utf8JsonWriter writer, float[] vector)
    {
        if (BitConverter.IsLittleEndian)
        {
            writer.WriteBase64StringValue(MemoryMarshal.AsBytes(vector.AsSpan()));
            return;
        }

        byte[] bytes = new byte[vector.Length * sizeof(float)];
        for (int i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        writer.WriteBase64StringValue(bytes);
    }
}
