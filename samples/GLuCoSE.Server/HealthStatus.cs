using System.Text.Json.Serialization;

namespace GLuCoSE.Server;

/// <summary>The body of <c>GET /health</c>: <c>{"status": "ok"}</c> or <c>{"status": "loading"}</c>.</summary>
internal sealed record HealthStatus([property: JsonPropertyName("status")] string Status);

/// <summary>Serializes <see cref="HealthStatus"/> without reflection.</summary>
[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
