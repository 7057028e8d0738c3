using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace GLuCoSE;

/// <summary>
/// Cuts a long text into chunks that fit a token budget, at sentence ends (<c>。</c> <c>！</c> <c>？</c> <c>!</c>
/// <c>?</c> and line breaks, with any closing brackets after them), repeating the last sentences of a chunk at the
/// start of the next for context.
/// </summary>
/// <remarks>
/// A sentence longer than the budget is cut at a token boundary (<see cref="Tokenizer.GetIndexByTokenCount(string, int, out string?, out int, bool, bool)"/>)
/// that is also a boundary between characters as a reader sees them (grapheme clusters: a letter stays with its
/// combining marks and variation selectors, an emoji sequence stays whole), unless one such character is over the budget.
/// Every chunk's text is a substring of the original, and together the chunks cover all of it. Thread-safe.
/// </remarks>
public static class TextChunker
{
    private const string SentenceEnds = "。！？!?";
    private const string Closers = "」』）)】〕〉》\"'”’";

    /// <summary>Cuts <paramref name="text"/> into chunks of at most <paramref name="maxTokens"/> tokens each.</summary>
    /// <param name="text">The text.</param>
    /// <param name="tokenizer">Counts tokens; for a <see cref="GlucoseTokenizer"/> the counts include <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c>.</param>
    /// <param name="maxTokens">The most tokens per chunk, as <paramref name="tokenizer"/> counts them (at least 3).</param>
    /// <param name="overlapTokens">About how many tokens of whole sentences to repeat from the end of one chunk at the start of the next; 0 for none.</param>
    /// <returns>The chunks in text order; one chunk (the whole text) when it fits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> or <paramref name="tokenizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is less than 3, or <paramref name="overlapTokens"/> is negative or not less than <paramref name="maxTokens"/>.</exception>
    public static IReadOnlyList<TextChunk> Split(string text, Tokenizer tokenizer, int maxTokens, int overlapTokens = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ChunkingOptions.Validate(maxTokens, overlapTokens, nameof(maxTokens), nameof(overlapTokens));

        int whole = tokenizer.CountTokens(text);
        if (whole <= maxTokens)
        {
            return [new TextChunk(text, 0, whole)];
        }

        // Tokens a chunk has besides its text's (<s> and </s> for GLuCoSE).
        int overhead = tokenizer.CountTokens(string.Empty);
        List<Range> units = Units(text, tokenizer, maxTokens);
        var costs = new int[units.Count];
        for (int u = 0; u < costs.Length; u++)
        {
            costs[u] = Math.Max(tokenizer.CountTokens(text.AsSpan(units[u])) - overhead, 0);
        }

        var chunks = new List<TextChunk>();
        int first = 0;
        while (first < units.Count)
        {
            // Pack by the units' own counts, then check the real count of the joined text: segmentation across a
            // boundary can differ by a token.
            int end = first + 1;
            int estimate = overhead + costs[first];
            while (end < units.Count && estimate + costs[end] <= maxTokens)
            {
                estimate += costs[end++];
            }

            TextChunk chunk = Chunk(text, units, first, end, tokenizer);
            while (chunk.TokenCount > maxTokens && end - 1 > first)
            {
                chunk = Chunk(text, units, first, --end, tokenizer);
            }

            chunks.Add(chunk);
            if (end == units.Count)
            {
                break;
            }

            int next = end;
            int overlap = 0;
            while (next - 1 > first && overlap + costs[next - 1] <= overlapTokens)
            {
                overlap += costs[--next];
            }

            // Units of white space alone cost no tokens: an overlap of nothing else would repeat text and add no context.
            first = overlap > 0 ? next : end;
        }

        return chunks;
    }


    /// <summary>
    /// As <see cref="Split"/> for chunks that get <paramref name="prefix"/> (a prompt) put before them: splits into
    /// <paramref name="budget"/> tokens, then checks that each chunk still fits <paramref name="maxTokens"/> with the
    /// prefix (SentencePiece may segment the join into more pieces than the two alone) and splits again with a smaller
    /// budget where one does not.
    /// </summary>
    internal static IReadOnlyList<TextChunk> SplitWithPrefix(string text, Tokenizer tokenizer, string prefix, int maxTokens, int budget, int overlapTokens)
    {
        while (true)
        {
            IReadOnlyList<TextChunk> chunks = Split(text, tokenizer, budget, overlapTokens);
            if (prefix.Length == 0 || chunks.Count == 1)
            {
                return chunks;
            }

            int excess = 0;
            foreach (TextChunk chunk in chunks)
            {
                excess = Math.Max(excess, tokenizer.CountTokens(string.Concat(prefix, chunk.Text)) - maxTokens);
            }

            if (excess <= 0 || budget - excess <= overlapTokens || budget - excess < ChunkingOptions.MinimumTokens)
            {
                // Fits; or cannot shrink further (then the few tokens over are truncated, as any over-long text is).
                return chunks;
            }

            budget -= excess;
        }
    }
    private static TextChunk Chunk(string text, List<Range> units, int first, int end, Tokenizer tokenizer)
    {
        int start = units[first].Start.Value;
        string chunkText = text[start..units[end - 1].End.Value];
        return new TextChunk(chunkText, start, tokenizer.CountTokens(chunkText));
    }

    // Sentences, and token-sized pieces of any sentence that does not fit a chunk on its own.
    private static List<Range> Units(string text, Tokenizer tokenizer, int maxTokens)
    {
        var units = new List<Range>();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!SentenceEnds.Contains(c, StringComparison.Ordinal) && c != '\n')
            {
                continue;
            }

            int end = i + 1;
            while (end < text.Length && IsSentenceTail(text[end]))
            {
                end++;
            }

            AddSentence(text, start, end, tokenizer, maxTokens, units);
            start = end;
            i = end - 1;
        }

        if (start < text.Length)
        {
            AddSentence(text, start, text.Length, tokenizer, maxTokens, units);
        }

        return units;
    }

    private static bool IsSentenceTail(char c) =>
        c is '\n' or '\r' || SentenceEnds.Contains(c, StringComparison.Ordinal) || Closers.Contains(c, StringComparison.Ordinal);

    // A sentence too long for a chunk is cut into pieces of maxTokens tokens, each found in a window of the text
    // ahead (8 characters a token; where tokens are longer, the piece is the whole window, which fits): tokenizing
    // the whole rest of the sentence for every piece would make a long text without sentence ends take quadratic time.
    private static void AddSentence(string text, int start, int end, Tokenizer tokenizer, int maxTokens, List<Range> units)
    {
        while (true)
        {
            int window = Math.Min(end - start, (8 * maxTokens) + 64);
            if (window < end - start && char.IsHighSurrogate(text[start + window - 1]))
            {
                window++;
            }

            if (window == end - start && tokenizer.CountTokens(text.AsSpan(start, window)) <= maxTokens)
            {
                break;
            }

            int fits = tokenizer.GetIndexByTokenCount(text.AsSpan(start, window), maxTokens, out _, out _);
            fits = WholeCharacters(text, start, end, fits, tokenizer, maxTokens);
            if (fits <= 0)
            {
                // Never stall: take at least one character (both halves of a surrogate pair).
                fits = char.IsHighSurrogate(text[start]) && start + 1 < end ? 2 : 1;
            }

            units.Add(new Range(start, start + fits));
            start += fits;
        }

        if (start < end)
        {
            units.Add(new Range(start, end));
        }
    }

    // A token boundary can fall inside what a reader sees as one character (a kana and a combining mark without a
    // precomposed form, an emoji sequence, a window's end): such a cut moves back to the character's start, counted
    // again so that the piece still fits. A single character longer than the budget is still cut inside.
    private static int WholeCharacters(string text, int start, int end, int fits, Tokenizer tokenizer, int maxTokens)
    {
        while (fits > 0 && start + fits < end)
        {
            int boundary = LastCharacterStart(text, start, end, start + fits);
            if (boundary == start + fits || boundary == start)
            {
                break;
            }

            fits = tokenizer.GetIndexByTokenCount(text.AsSpan(start, boundary - start), maxTokens, out _, out _);
        }

        return fits;
    }

    // The last grapheme cluster boundary in text[start..end] at or before limit (start is one).
    private static int LastCharacterStart(string text, int start, int end, int limit)
    {
        int boundary = start;
        while (boundary < limit)
        {
            int length = StringInfo.GetNextTextElementLength(text.AsSpan(boundary, end - boundary));
            if (boundary + length > limit)
            {
                break;
            }

            boundary += length;
        }

        return boundary;
    }
}
