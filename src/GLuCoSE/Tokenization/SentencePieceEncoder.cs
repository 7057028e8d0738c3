using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using GLuCoSE.Tokenization.SentencePieceModel;
using Google.Protobuf;
using PieceType = GLuCoSE.Tokenization.SentencePieceModel.ModelProto.Types.SentencePiece.Types.Type;

namespace GLuCoSE.Tokenization;

/// <summary>
/// Encodes text to SentencePiece ids exactly as the SentencePiece library (<c>spm_encode</c>) does, for unigram and
/// BPE models, with or without byte fallback.
/// </summary>
/// <remarks>
/// <para>
/// Microsoft.ML.Tokenizers' <c>SentencePieceTokenizer</c> (2.0.1 and 3.0.0) was measured against <c>spm_encode</c> and differs in
/// ways that cannot be repaired from outside it, so each stage is done here, checked against <c>spm_encode</c> on the
/// reference fixtures and on generated strings:
/// </para>
/// <list type="bullet">
/// <item>normalization with the model's precompiled character map (<see cref="CharsMapNormalizer"/>): the library keeps
/// characters the map deletes, such as U+0007, and skips the map entirely for BPE models;</item>
/// <item>unigram search (<see cref="UnigramSegmenter"/>): the library breaks near-ties differently (7 of 2,500 random
/// strings);</item>
/// <item>a run of unknown characters is one unknown piece (the library emits one per character);</item>
/// <item>byte fallback: the library's byte ids are 255 too high;</item>
/// <item>BPE merges, as <c>bpe_model.cc</c> does them (the library loses pieces).</item>
/// </list>
/// <para>The library's <see cref="Microsoft.ML.Tokenizers.Tokenizer"/> abstraction is what
/// <see cref="GlucoseTokenizer"/> exposes. Instances are immutable and safe to use from many threads at once.</para>
/// </remarks>
internal sealed class SentencePieceEncoder
{
    // Fields the encoder does not read (training settings, self-test samples) are skipped, not kept.
    private static readonly MessageParser<ModelProto> Parser = ModelProto.Parser.WithDiscardUnknownFields(true);

    private readonly ModelProto _model;
    private readonly CharsMapNormalizer _normalizer;
    private readonly UnigramSegmenter? _unigram;
    private readonly Dictionary<string, int> _pieces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _reserved = new(StringComparer.Ordinal);
    private readonly PrefixMatcher? _userDefined;
    private readonly int[] _byteIds;
    private readonly int _unknownId;

    private SentencePieceEncoder(ModelProto model)
    {
        _model = model;
        _unknownId = model.TrainerSpec.UnkId;
        var userDefined = new List<string>();
        for (int id = 0; id < model.Pieces.Count; id++)
        {
            ModelProto.Types.SentencePiece piece = model.Pieces[id];
            Dictionary<string, int> map = piece.Type is PieceType.Normal or PieceType.UserDefined or PieceType.Unused ? _pieces : _reserved;
            map.TryAdd(piece.Piece, id);
            if (piece.Type == PieceType.UserDefined)
            {
                userDefined.Add(piece.Piece);
            }
        }

        _userDefined = PrefixMatcher.Create(userDefined);
        _normalizer = new CharsMapNormalizer(model, _userDefined);

        _byteIds = new int[256];
        for (int b = 0; b < 256; b++)
        {
            _byteIds[b] = _reserved.TryGetValue(ByteToPiece((byte)b), out int id) && model.Pieces[id].Type == PieceType.Byte ? id : _unknownId;
        }

        switch (model.TrainerSpec.ModelType)
        {
            case TrainerSpec.Types.ModelType.Unigram:
                _unigram = new UnigramSegmenter(model);
                break;
            case TrainerSpec.Types.ModelType.Bpe:
                break;
            default:
                throw new InvalidDataException(
                    $"SentencePiece model type {model.TrainerSpec.ModelType} is not supported; only unigram and BPE models are.");
        }
    }

    /// <summary>Gets the number of pieces in the model.</summary>
    public int PieceCount => _model.Pieces.Count;

    /// <summary>Gets the SentencePiece id of the unknown piece.</summary>
    public int UnknownId => _unknownId;

    /// <summary>Gets the piece string of an id.</summary>
    public string IdToPiece(int id) => _model.Pieces[id].Piece;

    /// <summary>Tells whether an id is a byte-fallback piece (<c>&lt;0xXX&gt;</c>), and which byte.</summary>
    public bool IsBytePiece(int id, out byte value)
    {
        value = 0;
        if (_model.Pieces[id].Type != PieceType.Byte)
        {
            return false;
        }

        string piece = _model.Pieces[id].Piece;
        return piece.Length == 6 && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Loads a serialized SentencePiece model.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a usable SentencePiece model.</exception>
    public static SentencePieceEncoder Load(byte[] bytes)
    {
        ModelProto model;
        try
        {
            model = Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"The data is not a valid SentencePiece model (malformed protobuf: {ex.Message})", ex);
        }

        // Absent specs mean upstream's defaults, as in SentencePiece's C++ accessors.
        model.TrainerSpec ??= new TrainerSpec();
        model.NormalizerSpec ??= new NormalizerSpec();
        int unknownId = model.TrainerSpec.UnkId;
        if (model.Pieces.Count == 0)
        {
            throw new InvalidDataException("The data is not a valid SentencePiece model: it holds no pieces.");
        }

        if ((uint)unknownId >= (uint)model.Pieces.Count || model.Pieces[unknownId].Type != PieceType.Unknown)
        {
            throw new InvalidDataException(
                $"The data is not a valid SentencePiece model: unk_id {unknownId} does not name an unknown piece.");
        }

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
    public void Encode(ReadOnlySpan<char> text, List<int> ids) => Encode(text, ids, offsets: null);

    /// <summary>
    /// Appends the SentencePiece ids of <paramref name="text"/> (no BOS/EOS) to <paramref name="ids"/> and, when
    /// <paramref name="offsets"/> is not null, the span of <paramref name="text"/> each id came from (the byte pieces of
    /// one unknown run share its span).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="ids">Receives the ids.</param>
    /// <param name="offsets">Receives the spans; null for none.</param>
    /// <param name="startOfLongerText">
    /// Whether <paramref name="text"/> is only the start of a longer text: then only the ids that the longer text is
    /// sure to begin with are appended (unigram models; the cut's neighbourhood, <see cref="PrefixGuard"/> normalized
    /// code units, is left out, and so is whatever the segmentation before it still depends on).
    /// </param>
    public void Encode(ReadOnlySpan<char> text, List<int> ids, List<Range>? offsets, bool startOfLongerText = false)
    {
        if (text.IsEmpty)
        {
            return;
        }

        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int byteCount = Encoding.UTF8.GetBytes(text, utf8);
            var output = new ByteBuffer(byteCount + (byteCount / 2) + 8);
            List<int>? normalizedToOriginal = offsets is null ? null : new List<int>(byteCount + 8);
            _normalizer.Normalize(utf8.AsSpan(0, byteCount), output, normalizedToOriginal);
            if (output.Length == 0)
            {
                return;
            }

            string normalized = Encoding.UTF8.GetString(output.Span);
            var pieces = new List<(int Start, int Length, int Id)>();
            if (_unigram is not null)
            {
                _unigram.Segment(normalized, pieces, startOfLongerText ? Math.Max(0, normalized.Length - PrefixGuard) : -1);
            }
            else
            {
                SegmentBpe(normalized, pieces);
            }

            if (offsets is null)
            {
                EmitMergingUnknowns(normalized, pieces, ids, null);
                return;
            }

            var spans = new List<(int Start, int End)>();
            EmitMergingUnknowns(normalized, pieces, ids, spans);
            int[] charToByte = CharToUtf8Offsets(normalized);
            int[] byteToChar = Utf8ToCharOffsets(text, byteCount);
            foreach ((int start, int end) in spans)
            {
                int originalStart = byteToChar[normalizedToOriginal![charToByte[start]]];
                int originalEnd = byteToChar[normalizedToOriginal[charToByte[end]]];
                offsets.Add(new Range(originalStart, Math.Max(originalStart, originalEnd)));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>
    /// How many normalized code units at the end of the start of a longer text may differ from the longer text's: the
    /// normalizer's longest match, whitespace folding and trimming, and a special token cut in two only reach a few
    /// code units back from the cut.
    /// </summary>
    internal const int PrefixGuard = 256;

    /// <summary>Returns the normalized form of <paramref name="text"/>, with whitespace escaped as <c>▁</c>.</summary>
    public string Normalize(ReadOnlySpan<char> text)
    {
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int count = Encoding.UTF8.GetBytes(text, utf8);
            var output = new ByteBuffer(count + (count / 2) + 8);
            _normalizer.Normalize(utf8.AsSpan(0, count), output);
            return Encoding.UTF8.GetString(output.Span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    // For each UTF-16 index of s (and its end), the UTF-8 byte offset.
    private static int[] CharToUtf8Offsets(string s)
    {
        var map = new int[s.Length + 1];
        int bytes = 0;
        for (int i = 0; i < s.Length; i++)
        {
            map[i] = bytes;
            char c = s[i];
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : char.IsSurrogate(c) ? 2 : 3;
        }

        map[s.Length] = bytes;
        return map;
    }

    // For each UTF-8 byte offset of text (and its end), the UTF-16 index of the character holding it.
    private static int[] Utf8ToCharOffsets(ReadOnlySpan<char> text, int byteCount)
    {
        var map = new int[byteCount + 1];
        int position = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            int width = c < 0x80 ? 1 : c < 0x800 ? 2 : char.IsSurrogate(c) ? 2 : 3;
            for (int k = 0; k < width && position < byteCount; k++)
            {
                map[position++] = char.IsLowSurrogate(c) && i > 0 ? i - 1 : i;
            }
        }

        map[byteCount] = text.Length;
        return map;
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
    private void EmitMergingUnknowns(string normalized, List<(int Start, int Length, int Id)> pieces, List<int> ids, List<(int Start, int End)>? spans)
    {
        for (int i = 0; i < pieces.Count; i++)
        {
            (int start, int length, int id) = pieces[i];
            if (id != _unknownId)
            {
                ids.Add(id);
                spans?.Add((start, start + length));
                continue;
            }

            int end = start + length;
            while (i + 1 < pieces.Count && pieces[i + 1].Id == _unknownId)
            {
                i++;
                end = pieces[i].Start + pieces[i].Length;
            }

            if (!_model.TrainerSpec.ByteFallback)
            {
                ids.Add(_unknownId);
                spans?.Add((start, end));
                continue;
            }

            foreach (byte b in Encoding.UTF8.GetBytes(normalized, start, end - start))
            {
                ids.Add(_byteIds[b]);
                spans?.Add((start, end));
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
