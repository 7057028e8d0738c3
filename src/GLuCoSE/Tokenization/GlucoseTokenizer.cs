using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Text;
using GLuCoSE.Tokenization;
using Microsoft.ML.Tokenizers;

namespace GLuCoSE;

/// <summary>
/// The GLuCoSE tokenizer: SentencePiece segmentation with the token ids of transformers 4.x's <c>MLukeTokenizer</c>,
/// the tokenizer GLuCoSE-base-ja was trained with.
/// </summary>
/// <remarks>
/// <para>Id layout: <c>&lt;s&gt;</c>=0, <c>&lt;pad&gt;</c>=1, <c>&lt;/s&gt;</c>=2, <c>&lt;unk&gt;</c>=3; SentencePiece id
/// <c>i</c> becomes <c>i + 1</c> (its unknown piece becomes 3); with <c>N</c> pieces, <c>&lt;mask&gt;</c>=N+1,
/// <c>&lt;ent&gt;</c>=N+2, <c>&lt;ent2&gt;</c>=N+3, so the vocabulary has N+4 ids.</para>
/// <para>Literal special-token strings in the text (<c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;unk&gt;</c>,
/// <c>&lt;pad&gt;</c>, <c>&lt;mask&gt;</c>, <c>&lt;ent&gt;</c>, <c>&lt;ent2&gt;</c>) become their ids, and each stretch
/// of text between them is segmented on its own; <c>&lt;mask&gt;</c> also drops the whitespace on its left.</para>
/// <para>Segmentation matches the SentencePiece library exactly (normalization, unigram and BPE models, byte fallback,
/// runs of unknown characters as one <c>&lt;unk&gt;</c>). Instances are immutable and thread-safe.</para>
/// <para>It is a Microsoft.ML.Tokenizers <see cref="Tokenizer"/>, so it plugs into anything that counts or splits by
/// tokens (text chunkers, prompt budgets): its <see cref="Tokenizer"/> members see the same sequence as the model,
/// <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included, with offsets into the original text. Normalization is part of
/// the model and always applied; the <c>considerNormalization</c> and <c>considerPreTokenization</c> flags of those
/// members are ignored.</para>
/// </remarks>
public sealed class GlucoseTokenizer : Tokenizer
{
    /// <summary>The id of <c>&lt;s&gt;</c>, which starts every sequence.</summary>
    public const int BeginningOfSentenceId = 0;

    /// <summary>The id of <c>&lt;pad&gt;</c>, used to pad batches (and as RoBERTa's position padding index).</summary>
    public const int PaddingId = 1;

    /// <summary>The id of <c>&lt;/s&gt;</c>, which ends every sequence.</summary>
    public const int EndOfSentenceId = 2;

    /// <summary>The id of <c>&lt;unk&gt;</c>.</summary>
    public const int UnknownId = 3;

    private const int FairseqOffset = 1;

    private readonly SentencePieceEncoder _encoder;
    private readonly (string Text, int Id)[] _specialTokens;

    private GlucoseTokenizer(SentencePieceEncoder encoder)
    {
        _encoder = encoder;
        int n = encoder.PieceCount;
        MaskId = n + 1;
        VocabularySize = n + 4;

        // Longest first, as the reference splits them (a regex alternation sorted by length).
        _specialTokens =
        [
            ("<mask>", MaskId),
            ("<ent2>", n + 3),
            ("<pad>", PaddingId),
            ("<unk>", UnknownId),
            ("<ent>", n + 2),
            ("</s>", EndOfSentenceId),
            ("<s>", BeginningOfSentenceId),
        ];
    }

    /// <summary>Gets the id of <c>&lt;mask&gt;</c> (the number of SentencePiece pieces + 1).</summary>
    public int MaskId { get; }

    /// <summary>Gets the number of token ids (the number of SentencePiece pieces + 4; 32772 for GLuCoSE-base-ja).</summary>
    public int VocabularySize { get; }

    /// <summary>Creates a tokenizer from a SentencePiece model file (GLuCoSE's <c>sentencepiece.bpe.model</c>).</summary>
    /// <param name="sentencePieceModelPath">The path of the <c>.model</c> file.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sentencePieceModelPath"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a usable SentencePiece model.</exception>
    public static GlucoseTokenizer Create(string sentencePieceModelPath)
    {
        ArgumentNullException.ThrowIfNull(sentencePieceModelPath);
        if (!File.Exists(sentencePieceModelPath))
        {
            throw new FileNotFoundException(
                $"SentencePiece model '{sentencePieceModelPath}' not found. GLuCoSE's tokenizer file is named sentencepiece.bpe.model.",
                sentencePieceModelPath);
        }

        byte[] bytes = File.ReadAllBytes(sentencePieceModelPath);
        try
        {
            return new GlucoseTokenizer(SentencePieceEncoder.Load(bytes));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{sentencePieceModelPath}' is not a valid SentencePiece model: {ex.Message}", ex);
        }
    }

    /// <summary>Creates a tokenizer from a stream holding a SentencePiece model.</summary>
    /// <param name="sentencePieceModel">The model; read to its end, not disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sentencePieceModel"/> is null.</exception>
    /// <exception cref="InvalidDataException">The stream does not hold a usable SentencePiece model.</exception>
    public static GlucoseTokenizer Create(Stream sentencePieceModel)
    {
        ArgumentNullException.ThrowIfNull(sentencePieceModel);
        using var copy = new MemoryStream();
        sentencePieceModel.CopyTo(copy);
        return new GlucoseTokenizer(SentencePieceEncoder.Load(copy.ToArray()));
    }

    /// <summary>
    /// Encodes <paramref name="text"/> to token ids: <c>&lt;s&gt;</c>, the text's ids, <c>&lt;/s&gt;</c>.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="maxLength">
    /// The most ids to return, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included; longer texts keep their first
    /// <c>maxLength - 2</c> ids (as transformers truncates). At least 2.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is less than 2.</exception>
    public int[] EncodeToIds(string text, int maxLength = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        Guard.ThrowIfUnpairedSurrogate(text, nameof(text));
        return EncodeToIds(text, maxLength, out _);
    }

    /// <summary>The ids of a text already checked for unpaired surrogates; says whether they were truncated.</summary>
    internal int[] EncodeToIds(string text, int maxLength, out bool truncated)
    {
        var ids = new List<int>(Math.Min(text.Length + 2, 1024)) { BeginningOfSentenceId };
        truncated = AppendTextIdsUpTo(text, maxLength - 2, ids);
        if (ids.Count > maxLength - 1)
        {
            ids.RemoveRange(maxLength - 1, ids.Count - (maxLength - 1));
            truncated = true;
        }

        ids.Add(EndOfSentenceId);
        return ids.ToArray();
    }

    // Texts far longer than the ids kept are segmented in growing prefixes, not whole: a 10 MB string truncated to
    // 512 tokens costs a few thousand characters of work. A prefix yields only the ids the whole text is sure to begin
    // with (unigram: where the best paths converge before the cut, see UnigramSegmenter.ConvergedNode), and is enough
    // once those are PrefixMarginTokens more than are kept. Where they do not converge (a long run of one repeated
    // character segments by its length's parity), the prefixes grow until the whole text is segmented.
    // Returns true when it stopped at a prefix (the text holds more ids than are kept).
    private bool AppendTextIdsUpTo(string text, int keep, List<int> ids)
    {
        int prefix = LongTextPrefixChars(keep);
        while (prefix < text.Length / 2)
        {
            if (char.IsHighSurrogate(text[prefix - 1]))
            {
                prefix++;
            }

            int start = ids.Count;
            AppendTextIds(text.AsSpan(0, prefix), ids, offsets: null, startOfLongerText: true);
            if (ids.Count - start >= keep + PrefixMarginTokens)
            {
                return true;
            }

            ids.RemoveRange(start, ids.Count - start);
            prefix *= 4;
        }

        AppendTextIds(text, ids, offsets: null);
        return false;
    }

    private static int LongTextPrefixChars(int keep) => (int)Math.Min(int.MaxValue / 8, (4L * keep) + 1024);

    private const int PrefixMarginTokens = 64;

    /// <summary>Returns the SentencePiece-normalized form of <paramref name="text"/> (whitespace shown as <c>▁</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _encoder.Normalize(text);
    }

    /// <summary>Returns the token string of an id (a SentencePiece piece, or a special token).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not below <see cref="VocabularySize"/>.</exception>
    public string IdToToken(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, VocabularySize);
        foreach ((string token, int specialId) in _specialTokens)
        {
            if (specialId == id)
            {
                return token;
            }
        }

        return _encoder.IdToPiece(id - FairseqOffset);
    }

    /// <summary>
    /// Decodes ids to text: pieces joined with <c>▁</c> as spaces, byte pieces decoded as UTF-8, special tokens
    /// (<c>&lt;unk&gt;</c> included) skipped, as transformers' <c>decode(ids, skip_special_tokens=True,
    /// clean_up_tokenization_spaces=False)</c>. (GLuCoSE's <c>tokenizer_config.json</c> turns that clean-up on, so
    /// transformers' plain <c>decode</c> also drops the space before <c>. , ! ?</c> and inside English contractions
    /// such as <c>n't</c>; this method keeps the text as the pieces spell it.)
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is null.</exception>
    public override string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        foreach (string fragment in DecodeFragments(ids))
        {
            text.Append(fragment);
        }

        return text.ToString();
    }

    /// <summary>Decodes ids into <paramref name="destination"/>; see <see cref="Decode(IEnumerable{int})"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is null.</exception>
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        idsConsumed = 0;
        charsWritten = 0;
        foreach ((string fragment, int count) in DecodeFragmentsWithCounts(ids))
        {
            if (fragment.Length > destination.Length - charsWritten)
            {
                return OperationStatus.DestinationTooSmall;
            }

            fragment.AsSpan().CopyTo(destination[charsWritten..]);
            charsWritten += fragment.Length;
            idsConsumed += count;
        }

        return OperationStatus.Done;
    }

    /// <inheritdoc/>
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        ReadOnlySpan<char> input = text is null ? textSpan : text.AsSpan();

        // As EncodeToIds(string): such a text is not Unicode, and its UTF-8 form (U+FFFD) would shift every offset after it.
        Guard.ThrowIfUnpairedSurrogate(input, nameof(text));

        var ids = new List<int>(Math.Min(input.Length + 2, 1024)) { BeginningOfSentenceId };
        var offsets = new List<Range>(ids.Capacity) { new Range(0, 0) };
        AppendTextIds(input, ids, offsets);

        int keep = KeptTextTokens(ids.Count - 1, offsets, settings.MaxTokenCount);
        var tokens = new List<EncodedToken>(keep + 2);
        for (int i = 0; i <= keep && i < settings.MaxTokenCount; i++)
        {
            tokens.Add(new EncodedToken(ids[i], IdToToken(ids[i]), offsets[i]));
        }

        int consumed = keep == ids.Count - 1 ? input.Length : offsets[keep].End.Value;
        if (tokens.Count < settings.MaxTokenCount)
        {
            tokens.Add(new EncodedToken(EndOfSentenceId, "</s>", new Range(consumed, consumed)));
        }

        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = null, CharsConsumed = consumed };
    }

    /// <inheritdoc/>
    /// <remarks>
    /// From the end, the index is where a suffix starts whose own encoding fits, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c>
    /// included (a suffix that starts inside a word also gets a dummy-prefix piece of its own), and
    /// <paramref name="tokenCount"/> is that encoding's length.
    /// </remarks>
    protected override int GetIndexByTokenCount(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, bool fromEnd, out string? normalizedText, out int tokenCount)
    {
        if (!fromEnd)
        {
            return base.GetIndexByTokenCount(text, textSpan, settings, fromEnd, out normalizedText, out tokenCount);
        }

        ReadOnlySpan<char> input = text is null ? textSpan : text.AsSpan();
        Guard.ThrowIfUnpairedSurrogate(input, nameof(text));
        normalizedText = null;
        int maxTokenCount = settings.MaxTokenCount;
        if (maxTokenCount < 2)
        {
            // Not even <s> and </s> fit.
            tokenCount = Math.Max(maxTokenCount, 0);
            return input.Length;
        }

        var ids = new List<int>();
        var offsets = new List<Range>();
        AppendTextIds(input, ids, offsets);

        // Start where the whole text's last tokens would fit, then move right until the suffix's own count fits: it is
        // segmented on its own, not as part of the whole.
        var suffixIds = new List<int>();
        for (int k = Math.Max(0, ids.Count + 2 - maxTokenCount); k < ids.Count; k++)
        {
            int start = offsets[k].Start.Value;
            if (k > 0 && offsets[k - 1].End.Value > start)
            {
                // Inside a character an earlier token also covers (its byte pieces, or a normalized expansion).
                continue;
            }

            suffixIds.Clear();
            AppendTextIds(input[start..], suffixIds, offsets: null);
            if (suffixIds.Count + 2 <= maxTokenCount)
            {
                tokenCount = suffixIds.Count + 2;
                return start;
            }
        }

        tokenCount = 2;
        return input.Length;
    }

    // How many of the text's tokens (ids[1..count]) fit in maxTokenCount beside <s> and </s>, never splitting the
    // byte pieces of one character nor ending on a token that covers no text (a lone dummy-prefix ▁).
    private static int KeptTextTokens(int count, List<Range> offsets, int maxTokenCount)
    {
        if (count + 2 <= maxTokenCount)
        {
            return count;
        }

        int keep = Math.Max(0, maxTokenCount - 2);
        while (keep > 0 && (offsets[keep + 1].Equals(offsets[keep]) || offsets[keep].Start.Equals(offsets[keep].End)))
        {
            keep--;
        }

        return keep;
    }

    private void AppendTextIds(ReadOnlySpan<char> text, List<int> ids, List<Range>? offsets, bool startOfLongerText = false)
    {
        var pieceIds = new List<int>();
        List<Range>? pieceOffsets = offsets is null ? null : new List<Range>();
        int chunkStart = 0;
        int position = 0;
        while (position < text.Length)
        {
            int found = text[position..].IndexOf('<');
            if (found < 0)
            {
                break;
            }

            int next = position + found;
            (string Text, int Id)? match = MatchSpecialToken(text[next..]);
            if (match is null)
            {
                position = next + 1;
                continue;
            }

            ReadOnlySpan<char> chunk = text[chunkStart..next];
            if (match.Value.Id == MaskId)
            {
                chunk = TrimEndPythonWhitespace(chunk);
            }

            AppendChunkIds(chunk, chunkStart, pieceIds, pieceOffsets, ids, offsets);
            ids.Add(match.Value.Id);
            offsets?.Add(new Range(next, next + match.Value.Text.Length));
            position = chunkStart = next + match.Value.Text.Length;
        }

        AppendChunkIds(text[chunkStart..], chunkStart, pieceIds, pieceOffsets, ids, offsets, startOfLongerText);
    }

    private void AppendChunkIds(ReadOnlySpan<char> chunk, int chunkStart, List<int> pieceIds, List<Range>? pieceOffsets, List<int> ids, List<Range>? offsets, bool startOfLongerText = false)
    {
        if (chunk.IsEmpty)
        {
            return;
        }

        pieceIds.Clear();
        pieceOffsets?.Clear();
        _encoder.Encode(chunk, pieceIds, pieceOffsets, startOfLongerText);
        int unknown = _encoder.UnknownId;
        for (int i = 0; i < pieceIds.Count; i++)
        {
            ids.Add(pieceIds[i] == unknown ? UnknownId : pieceIds[i] + FairseqOffset);
            if (offsets is not null)
            {
                Range range = pieceOffsets![i];
                offsets.Add(new Range(chunkStart + range.Start.Value, chunkStart + range.End.Value));
            }
        }
    }

    private IEnumerable<string> DecodeFragments(IEnumerable<int> ids)
    {
        foreach ((string fragment, _) in DecodeFragmentsWithCounts(ids))
        {
            yield return fragment;
        }
    }

    // Yields the text of the ids in whole fragments (one piece, or one run of byte pieces) with how many ids each took.
    private IEnumerable<(string Fragment, int Ids)> DecodeFragmentsWithCounts(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        int pendingIds = 0;
        bool atStart = true;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabularySize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary (0 to {VocabularySize - 1}).");
            }

            string? piece = id is BeginningOfSentenceId or PaddingId or EndOfSentenceId or UnknownId || id >= MaskId ? null : _encoder.IdToPiece(id - FairseqOffset);
            if (piece is not null && _encoder.IsBytePiece(id - FairseqOffset, out byte value))
            {
                bytes.Add(value);
                pendingIds++;
                continue;
            }

            if (bytes.Count > 0)
            {
                yield return (Finish(Encoding.UTF8.GetString(bytes.ToArray()), ref atStart), pendingIds);
                bytes.Clear();
                pendingIds = 0;
            }

            yield return (piece is null ? string.Empty : Finish(piece.Replace('\u2581', ' '), ref atStart), 1);
        }

        if (bytes.Count > 0)
        {
            yield return (Finish(Encoding.UTF8.GetString(bytes.ToArray()), ref atStart), pendingIds);
        }

        // SentencePiece drops the dummy-prefix space of the first piece.
        static string Finish(string fragment, ref bool atStart)
        {
            if (atStart && fragment.Length > 0)
            {
                atStart = false;
                return fragment[0] == ' ' ? fragment[1..] : fragment;
            }

            return fragment;
        }
    }

    private (string Text, int Id)? MatchSpecialToken(ReadOnlySpan<char> text)
    {
        foreach ((string token, int id) in _specialTokens)
        {
            if (text.StartsWith(token, StringComparison.Ordinal))
            {
                return (token, id);
            }
        }

        return null;
    }

    // Python's str.rstrip(): Unicode whitespace, which adds U+001C..U+001F to .NET's char.IsWhiteSpace.
    private static ReadOnlySpan<char> TrimEndPythonWhitespace(ReadOnlySpan<char> s)
    {
        int end = s.Length;
        while (end > 0 && (char.IsWhiteSpace(s[end - 1]) || s[end - 1] is >= '\u001C' and <= '\u001F'))
        {
            end--;
        }

        return s[..end];
    }
}
