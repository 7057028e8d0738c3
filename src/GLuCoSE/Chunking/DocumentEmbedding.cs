using System.Collections.Generic;

namespace GLuCoSE;

/// <summary>The embedding of a long text: one per chunk, and one for the whole text pooled from them.</summary>
public sealed class DocumentEmbedding
{
    internal DocumentEmbedding(float[] embedding, IReadOnlyList<TextChunk> chunks, IReadOnlyList<float[]> chunkEmbeddings)
    {
        Embedding = embedding;
        Chunks = chunks;
        ChunkEmbeddings = chunkEmbeddings;
    }

    /// <summary>
    /// Gets the embedding of the whole text: the mean of the chunk embeddings weighted by their token counts (so a
    /// text that fits in one chunk gets exactly its own embedding), L2-normalized when the embedder normalizes.
    /// </summary>
    public float[] Embedding { get; }

    /// <summary>Gets the chunks, in text order.</summary>
    public IReadOnlyList<TextChunk> Chunks { get; }

    /// <summary>Gets the embedding of each chunk, in the order of <see cref="Chunks"/>.</summary>
    public IReadOnlyList<float[]> ChunkEmbeddings { get; }
}
