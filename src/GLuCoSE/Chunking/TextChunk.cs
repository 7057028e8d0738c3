namespace GLuCoSE;

/// <summary>A piece of a longer text, cut by <see cref="TextChunker"/>.</summary>
/// <param name="Text">The chunk's text, as it appears in the original.</param>
/// <param name="Start">Where the chunk starts in the original text (a <see cref="string"/> index).</param>
/// <param name="TokenCount">The chunk's tokens, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included.</param>
public sealed record TextChunk(string Text, int Start, int TokenCount)
{
    /// <summary>Gets where the chunk ends in the original text (exclusive).</summary>
    public int End => Start + Text.Length;
}
