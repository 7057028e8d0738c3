namespace GLuCoSE;

/// <summary>One result of an <see cref="EmbeddingIndex"/> search.</summary>
/// <param name="Index">The row: the order in which its embedding was added, from 0.</param>
/// <param name="Score">
/// The cosine similarity with the query (exact for float storage; approximate for quantized storage, where binary
/// scores rank correctly but are on their own scale).
/// </param>
public readonly record struct SearchHit(int Index, float Score);
