using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace GLuCoSE.Tokenization;

/// <summary>
/// Encodes text to SentencePiece ids exactly as the SentencePiece library (<c>spm_encode</c>) does, for unigram and
/// BPE models, with or without byte fallback.
/// </summary>
/// <remarks>
/// <para>
/// Unigram segmentation (the Viterbi search over the piece lattice) is Microsoft.ML.Tokenizers'
/// <see cref="SentencePieceTokenizer"/>. Around it this class owns what that library gets wrong, each checked against
/// <c>spm_encode</c>:
/// </para>
/// <list type="bullet">
/// <item>normalization with the model's precompiled character map (<see cref="CharsMapNormalizer"/>): the library keeps
/// characters the map deletes, such as U+0007, and skips the map entirely for BPE models;</item>
/// <item>a run of unknown characters is one unknown piece (the library emits one per character);</item>
/// <item>byte fallback: the library's byte ids are 255 too high, so unknown runs are decomposed into the model's
/// <c>&lt;0xXX&gt;</c> pieces here, and the library is handed a copy of the model with byte fallback off;</item>
/// <item>BPE merges (the library loses pieces), done here as <c>bpe_model.cc</c> does them.</item>
/// </list>
/// <para>Instances are immutable and safe to use from many threads at once.</para>
/// </remarks>
internal sealed class SentencePieceEncoder
{
    private readonly SentencePieceModelProto _model;
    private readonly CharsMapNormalizer _normalizer;
    private readonly UnigramSegmenter? _unigram;
    private readonly Dictionary<string, int> _pieces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _reserved = new(StringComparer.Ordinal);
    private readonly PrefixMatcher? _userDefined;
    private readonly int[] _byteIds;
    private readonly int _unknownId;

    private SentencePieceEncoder(SentencePieceModelProto model)
    {
        _model = model;
        _unknownId = model.UnknownId;
        var userDefined = new List<string>();
        for (int id = 0; id < model.Pieces.Count; id++)
        {
            (string piece, _, PieceType type) = model.Pieces[id];
            Dictionary<string, int> map = type is PieceType.Normal or PieceType.UserDefined or PieceType.Unused ? _pieces : _reserved;
            map.TryAdd(piece, id);
            if (type == PieceType.UserDefined)
            {
                userDefined.Add(piece);
            }
        }

        _userDefined = PrefixMatcher.Create(userDefined);
        _normalizer = new CharsMapNormalizer(model, _userDefined);

        _byteIds = new int[256];
        for (int b = 0; b < 256; b++)
        {
            _byteIds[b] = _reserved.TryGetValue(ByteToPiece((byte)b), out int id) && model.Pieces[id].Type == PieceType.Byte ? id : _unknownId;
        }

        switch (model.Algorithm)
        {
            case SentencePieceAlgorithm.Unigram:
                _unigram = new UnigramSegmenter(model);
                break;
            case SentencePieceAlgorithm.Bpe:
                break;
            default:
                throw new InvalidDataException(
                    $"SentencePiece model type {model.Algorithm} is not supported; only unigram and BPE models are.");
        }
    }

    /// <summary>Gets the number of pieces in the model.</summary>
    public int PieceCount => _model.Pieces.Count;

    /// <summary>Gets the SentencePiece id of the unknown piece.</summary>
    public int UnknownId => _unknownId;

    /// <summary>Gets the segmentation algorithm of the model.</summary>
    public SentencePieceAlgorithm Algorithm => _model.Algorithm;

    /// <summary>Gets whether the model decomposes unknown characters into byte pieces.</summary>
    public bool ByteFallback => _model.ByteFallback;

    /// <summary>Gets the piece string of an id.</summary>
    public string IdToPiece(int id) => _model.Pieces[id].Piece;

    /// <summary>Loads a serialized SentencePiece model.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a usable SentencePiece model.</exception>
    public static SentencePieceEncoder Load(byte[] bytes)
    {
        SentencePieceModelProto model = SentencePieceModelProto.Parse(bytes);
        try
        {
            return new SentencePieceEncoder(model);
        }
        catch (Exception ex) when (ex is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"The SentencePiece model could not be loaded: {ex.Message}", ex);
        }
    }

    /// <summary>Appends the SentencePiece ids of <paramref name="text"/> (no BOS/EOS) to <paramref name="ids"/>.</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> ids)
    {
        if (text.IsEmpty)
        {
            return;
        }

        string normalized = Normalize(text);
        if (normalized.Length == 0)
        {
            return;
        }

        var pieces = new List<(int Start, int Length, int Id)>();
        if (_unigram is not null)
        {
            _unigram.Segment(normalized, pieces);
        }
        else
        {
            SegmentBpe(normalized, pieces);
        }

        EmitMergingUnknowns(normalized, pieces, ids);
    }

    /// <summary>Returns the normalized form of <paramref name="text"/>, with whitespace escaped as <c>▁</c>.</summary>
    public string Normalize(ReadOnlySpan<char> text)
    {
        int maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            int count = Encoding.UTF8.GetBytes(text, rented);
            var output = new ByteBuffer(count + (count / 2) + 8);
            _normalizer.Normalize(rented.AsSpan(0, count), output);
            return Encoding.UTF8.GetString(output.Span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // bpe_model.cc Model::Encode: greedy merges of the best-scoring adjacent pair (ties: leftmost), then unused pieces
    // are split back into the pieces they were merged from.
    private void SegmentBpe(string normalized, List<(int Start, int Length, int Id)> pieces)
    {
        var symbols = new List<BpeSymbol>(normalized.Length);
        int position = 0;
        while (position < normalized.Length)
        {
            ReadOnlySpan<char> rest = normalized.AsSpan(position);
            int length = _userDefined?.LongestPrefix(rest) ?? 0;
            bool freeze = length > 0;
            if (!freeze)
            {
                length = char.IsHighSurrogate(rest[0]) && rest.Length > 1 && char.IsLowSurrogate(rest[1]) ? 2 : 1;
            }

            symbols.Add(new BpeSymbol(position, length, symbols.Count - 1, position + length < normalized.Length ? symbols.Count + 1 : -1, freeze));
            position += length;
        }

        var agenda = new PriorityQueue<BpePair, (float Score, int Left)>(BpePairComparer.Instance);
        var reverseMerges = new Dictionary<string, (string Left, string Right)>(StringComparer.Ordinal);

        void MaybeAddPair(int left, int right)
        {
            if (left < 0 || right < 0 || symbols[left].Freeze || symbols[right].Freeze)
            {
                return;
            }

            string merged = normalized.Substring(symbols[left].Start, symbols[left].Length + symbols[right].Length);
            if (!_pieces.TryGetValue(merged, out int id))
            {
                return;
            }

            float score = _model.Pieces[id].Score;
            agenda.Enqueue(new BpePair(left, right, merged.Length), (score, left));
            if (_model.Pieces[id].Type == PieceType.Unused)
            {
                reverseMerges[merged] = (
                    normalized.Substring(symbols[left].Start, symbols[left].Length),
                    normalized.Substring(symbols[right].Start, symbols[right].Length));
            }
        }

        for (int i = 1; i < symbols.Count; i++)
        {
            MaybeAddPair(i - 1, i);
        }

        while (agenda.TryDequeue(out BpePair top, out _))
        {
            BpeSymbol left = symbols[top.Left];
            BpeSymbol right = symbols[top.Right];
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != top.Size)
            {
                continue;
            }

            symbols[top.Left] = left with { Length = left.Length + right.Length, Next = right.Next };
            if (right.Next >= 0)
            {
                symbols[right.Next] = symbols[right.Next] with { Previous = top.Left };
            }

            symbols[top.Right] = right with { Length = 0 };
            MaybeAddPair(symbols[top.Left].Previous, top.Left);
            MaybeAddPair(top.Left, symbols[top.Left].Next);
        }

        for (int index = 0; index >= 0 && symbols.Count > 0; index = symbols[index].Next)
        {
            Resegment(normalized.Substring(symbols[index].Start, symbols[index].Length), symbols[index].Start);
        }

        void Resegment(string piece, int start)
        {
            int id = PieceToId(piece);
            if (_model.Pieces[id].Type == PieceType.Unused && reverseMerges.TryGetValue(piece, out var parts))
            {
                Resegment(parts.Left, start);
                Resegment(parts.Right, start + parts.Left.Length);
                return;
            }

            pieces.Add((start, piece.Length, id));
        }
    }

    private int PieceToId(string piece)
    {
        if (_reserved.TryGetValue(piece, out int id) || _pieces.TryGetValue(piece, out id))
        {
            return id;
        }

        return _unknownId;
    }

    // SentencePiece reports a run of unknown characters as one unknown piece; with byte fallback that piece is
    // replaced by the model's byte pieces for its UTF-8 bytes.
    private void EmitMergingUnknowns(string normalized, List<(int Start, int Length, int Id)> pieces, List<int> ids)
    {
        for (int i = 0; i < pieces.Count; i++)
        {
            (int start, int length, int id) = pieces[i];
            if (id != _unknownId)
            {
                ids.Add(id);
                continue;
            }

            int end = start + length;
            while (i + 1 < pieces.Count && pieces[i + 1].Id == _unknownId)
            {
                i++;
                end = pieces[i].Start + pieces[i].Length;
            }

            if (!_model.ByteFallback)
            {
                ids.Add(_unknownId);
                continue;
            }

            foreach (byte b in Encoding.UTF8.GetBytes(normalized, start, end - start))
            {
                ids.Add(_byteIds[b]);
            }
        }
    }

    private static string ByteToPiece(byte b) => string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>");

    private readonly record struct BpeSymbol(int Start, int Length, int Previous, int Next, bool Freeze);

    private readonly record struct BpePair(int Left, int Right, int Size);

    // Highest score first; among equal scores the leftmost pair.
    private sealed class BpePairComparer : IComparer<(float Score, int Left)>
    {
        public static readonly BpePairComparer Instance = new();

        public int Compare((float Score, int Left) x, (float Score, int Left) y)
        {
            int byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : x.Left.CompareTo(y.Left);
        }
    }
}
