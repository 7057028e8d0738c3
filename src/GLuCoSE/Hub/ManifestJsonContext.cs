using System.Text.Json.Serialization;

namespace GLuCoSE.Hub;

/// <summary>Source-generated JSON for the cache manifest and the partial-download notes (no reflection, trimming-safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ModelManifest))]
[JsonSerializable(typeof(PartialDownload))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
