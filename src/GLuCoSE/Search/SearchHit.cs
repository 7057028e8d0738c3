namespace GLuCoSE;

/// <summary>One result of an <see cref="EmbeddingIndex"/> search.</summary>
public readonly struct SearchHit
{
    internal SearchHit(int index, float score)
    {
        Index = index;
        Score = score;
    }

    /// <summary>Gets the row: the order in which its embedding was added, from 0.</summary>
    public int Index { get; }

    /// <summary>
    /// Gets the cosine similarity with the query (exact for float storage; approximate for quantized storage, where
    /// binary scores are on their own scale and may rank rows differently from the exact cosine).
    /// </summary>
    public float Score { get; }
}
