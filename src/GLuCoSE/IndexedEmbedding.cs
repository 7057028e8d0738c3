namespace GLuCoSE;

/// <summary>An embedding from a stream of texts, with the position of its text in the stream.</summary>
/// <param name="Index">The zero-based position of the text in the source.</param>
/// <param name="Embedding">The text's embedding.</param>
public readonly record struct IndexedEmbedding(long Index, float[] Embedding);
