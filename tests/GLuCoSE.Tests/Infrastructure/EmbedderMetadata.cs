using System;
using Microsoft.Extensions.AI;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>The model id and the graph path, read as applications read them: through <see cref="EmbeddingGeneratorMetadata"/>.</summary>
internal static class EmbedderMetadata
{
    public static EmbeddingGeneratorMetadata Metadata(this GlucoseEmbedder embedder) =>
        embedder.GetService<EmbeddingGeneratorMetadata>() ?? throw new InvalidOperationException("The embedder serves no EmbeddingGeneratorMetadata.");

    /// <summary>The full path of the ONNX graph loaded (<see cref="EmbeddingGeneratorMetadata.ProviderUri"/>).</summary>
    public static string ModelPath(this GlucoseEmbedder embedder) =>
        embedder.Metadata().ProviderUri?.LocalPath ?? throw new InvalidOperationException("The metadata has no ProviderUri.");

    /// <summary>The model id (<see cref="EmbeddingGeneratorMetadata.DefaultModelId"/>).</summary>
    public static string? ModelId(this GlucoseEmbedder embedder) => embedder.Metadata().DefaultModelId;
}
