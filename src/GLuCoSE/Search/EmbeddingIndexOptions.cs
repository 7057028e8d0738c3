namespace GLuCoSE;

/// <summary>Options for an <see cref="EmbeddingIndex"/>.</summary>
/// <remarks>The index copies the options when it is created; changing them afterwards has no effect on it.</remarks>
public sealed class EmbeddingIndexOptions
{
    /// <summary>Gets or sets how rows are stored. Default <see cref="EmbeddingQuantization.None"/> (floats, exact).</summary>
    public EmbeddingQuantization Quantization { get; set; } = EmbeddingQuantization.None;

    /// <summary>
    /// Gets or sets whether a quantized search rescores its candidates with the float query against the stored rows
    /// (sentence-transformers' <c>rescore</c>): the first pass compares quantized query and rows, then the best
    /// <c>top × </c><see cref="RescoreMultiplier"/> are scored again with the unquantized query. Default true; no effect
    /// without quantization.
    /// </summary>
    public bool Rescore { get; set; } = true;

    /// <summary>Gets or sets how many candidates per wanted hit the first pass of a rescored search keeps. Default 4.</summary>
    public int RescoreMultiplier { get; set; } = 4;

    internal EmbeddingIndexOptions Clone() => (EmbeddingIndexOptions)MemberwiseClone();
}
