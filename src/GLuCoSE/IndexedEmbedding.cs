namespace GLuCoSE;

/// <summary>An embedding from a stream of texts, with the position of its text in the stream.</summary>
public readonly struct IndexedEmbedding
{
    internal IndexedEmbedding(long index, float[] embedding)
    {
        Index = index;
        Embedding = embedding;
    }

    /// <summary>Gets the zero-based position of the text in the source.</summary>
    public long Index { get; }

    /// <summary>Gets the text's embedding.</summary>
    public float[] Embedding { get; }
}
