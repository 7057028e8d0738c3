namespace GLuCoSE;

/// <summary>A piece of a longer text, cut by <see cref="TextChunker"/>.</summary>
public sealed class TextChunk
{
    internal TextChunk(string text, int start, int tokenCount)
    {
        Text = text;
        Start = start;
        TokenCount = tokenCount;
    }

    /// <summary>Gets the chunk's text, as it appears in the original (it ends at <see cref="Start"/> + <c>Text.Length</c>).</summary>
    public string Text { get; }

    /// <summary>Gets where the chunk starts in the original text (a <see cref="string"/> index).</summary>
    public int Start { get; }

    /// <summary>Gets the chunk's tokens, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included.</summary>
    public int TokenCount { get; }
}
