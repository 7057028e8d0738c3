using System;

namespace GLuCoSE;

/// <summary>How <see cref="TextChunker"/> and <see cref="GlucoseEmbedder.EncodeDocument(string, ChunkingOptions?, string?)"/> cut long texts.</summary>
public sealed class ChunkingOptions
{
    // <s>, </s> and one token of text: the smallest chunk size.
    internal const int MinimumTokens = 3;

    /// <summary>
    /// Gets or sets the most tokens per chunk, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> and any prompt included. Null (the
    /// default): the embedder's <see cref="GlucoseEmbedder.MaxSequenceLength"/>.
    /// </summary>
    public int? MaxTokens { get; set; }

    /// <summary>
    /// Gets or sets about how many tokens of the end of a chunk are repeated at the start of the next one, in whole
    /// sentences (a sentence longer than this is not repeated). Default 64; 0 for no overlap.
    /// </summary>
    public int OverlapTokens { get; set; } = 64;

    internal static void Validate(int maxTokens, int overlapTokens, string maxTokensName, string overlapTokensName)
    {
        if (maxTokens < MinimumTokens)
        {
            throw new ArgumentOutOfRangeException(
                maxTokensName, maxTokens, "The chunk size must leave room for text besides <s>, </s> and the prompt: at least 3 tokens in all.");
        }

        if (overlapTokens < 0 || overlapTokens >= maxTokens)
        {
            throw new ArgumentOutOfRangeException(
                overlapTokensName, overlapTokens, $"The overlap must be 0 or more and less than the chunk size ({maxTokens} tokens).");
        }
    }
}
