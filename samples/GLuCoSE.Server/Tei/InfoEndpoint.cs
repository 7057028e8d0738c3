using System.Reflection;
using System.Text.Json;
using GLuCoSE.Server.Model;

namespace GLuCoSE.Server.Tei;

/// <summary>
/// <c>GET /info</c>: text-embeddings-inference's model and router description (model id, pooling, token limit, batch
/// settings), plus the embeddings' <c>dimensions</c>.
/// </summary>
internal static class InfoEndpoint
{
    public const string Route = "/info";

    public static async Task HandleAsync(HttpContext context, EmbedderHost host, ServerOptions options)
    {
        GlucoseEmbedder embedder = host.Require();
        GlucoseEmbedderOptions embedderOptions = host.Options;
        bool cuda = embedderOptions.ExecutionProvider == GlucoseExecutionProvider.Cuda;
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("model_id", host.ModelId);
            writer.WriteNull("model_sha");
            writer.WriteString("model_dtype", DType(options.Precision, embedderOptions.ModelFileName));
            writer.WriteStartObject("model_type");
            writer.WriteStartObject("embedding");
            writer.WriteString("pooling", "mean");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteNumber("dimensions", embedder.Dimensions);
            writer.WriteNumber("max_input_length", embedder.MaxSequenceLength);
            writer.WriteNumber("max_concurrent_requests", options.Limits.MaxConcurrentRequests);
            writer.WriteNumber("max_queued_requests", options.Limits.MaxQueuedRequests);
            writer.WriteNumber("max_client_batch_size", options.Limits.MaxInputsPerRequest);
            writer.WriteNumber("max_input_characters", options.Limits.MaxInputCharacters);
            writer.WriteNumber("max_request_body_bytes", options.Limits.MaxRequestBodyBytes);

            // The embedder's own batching: the defaults GlucoseEmbedderOptions.BatchSize and
            // GlucosePerformanceOptions.MaxBatchTokens document, unless configured.
            writer.WriteNumber("max_batch_requests", embedderOptions.BatchSize ?? (cuda ? 32 : 128));
            writer.WriteNumber("max_batch_tokens", embedderOptions.Performance.MaxBatchTokens ?? (cuda ? 4096 : 1024));
            writer.WriteBoolean("auto_truncate", true);
            writer.WriteString("version", typeof(InfoEndpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The precision of the graph served: the one <c>Glucose:Precision</c> made, else an int8 file chosen by its name
    /// (<c>model_int8.onnx</c>); the options' <c>ModelFileName</c> stays null when the precision chooses the file.
    /// </summary>
    private static string DType(GlucosePrecision precision, string? modelFileName) => precision switch
    {
        GlucosePrecision.Int8 => "int8",
        GlucosePrecision.Float16 => "float16",
        _ => modelFileName?.Contains("int8", StringComparison.OrdinalIgnoreCase) == true ? "int8" : "float32",
    };
}
