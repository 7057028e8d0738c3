using System;
using System.Collections.Generic;
using System.IO;
using GLuCoSE.Tokenization;

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
/// </remarks>
public sealed class GlucoseTokenizer
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

        var ids = new List<int>(Math.Min(text.Length + 2, 1024)) { BeginningOfSentenceId };
        AppendTextIds(text, ids);
        if (ids.Count > maxLength - 1)
        {
            ids.RemoveRange(maxLength - 1, ids.Count - (maxLength - 1));
        }

        ids.Add(EndOfSentenceId);
        return ids.ToArray();
    }

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

    private void AppendTextIds(string text, List<int> ids)
    {
        var pieceIds = new List<int>();
        int chunkStart = 0;
        int position = 0;
        while (position < text.Length)
        {
            int next = text.IndexOf('<', position);
            if (next < 0)
            {
                break;
            }

            (string Text, int Id)? match = MatchSpecialToken(text.AsSpan(next));
            if (match is null)
            {
                position = next + 1;
                continue;
            }

            ReadOnlySpan<char> chunk = text.AsSpan(chunkStart, next - chunkStart);
            if (match.Value.Id == MaskId)
            {
                chunk = TrimEndPythonWhitespace(chunk);
            }

            AppendChunkIds(chunk, pieceIds, ids);
            ids.Add(match.Value.Id);
            position = chunkStart = next + match.Value.Text.Length;
        }

        AppendChunkIds(text.AsSpan(chunkStart), pieceIds, ids);
    }

    private void AppendChunkIds(ReadOnlySpan<char> chunk, List<int> pieceIds, List<int> ids)
    {
        if (chunk.IsEmpty)
        {
            return;
        }

        pieceIds.Clear();
        _encoder.Encode(chunk, pieceIds);
        int unknown = _encoder.UnknownId;
        foreach (int pieceId in pieceIds)
        {
            ids.Add(pieceId == unknown ? UnknownId : pieceId + FairseqOffset);
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
