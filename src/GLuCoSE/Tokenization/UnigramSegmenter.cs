using System;
using System.Collections.Generic;
using GLuCoSE.Tokenization.SentencePieceModel;
using PieceType = GLuCoSE.Tokenization.SentencePieceModel.ModelProto.Types.SentencePiece.Types.Type;

namespace GLuCoSE.Tokenization;

/// <summary>
/// The unigram Viterbi search of SentencePiece (<c>unigram_model.cc</c>, <c>Model::EncodeOptimized</c>), with its
/// arithmetic: candidate scores summed in double, best scores stored as float, ties kept by the earliest start.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers' unigram search accumulates scores differently, so on near-ties it picks another, equally
/// scored segmentation (measured: 7 of 2,500 random strings, e.g. "IIII" as I|III where SentencePiece gives III|I).
/// Those cannot be repaired after the fact, so the search is done here.
/// </remarks>
internal sealed class UnigramSegmenter
{
    private const float UnknownPenalty = 10.0f;

    // C's FLT_MIN, the smallest normal float: SentencePiece starts its maximum there, not at -FLT_MAX.
    private const float FloatMin = 1.17549435E-38f;

    private readonly CharTrie _trie;
    private readonly float[] _scores;
    private readonly PieceType[] _types;
    private readonly int _unknownId;
    private readonly float _unknownScore;
    private readonly float _maxScore;

    // The longest piece in UTF-16 code units (at least 2: an unknown surrogate pair is one piece).
    private readonly int _maxPieceLength = 2;

    public UnigramSegmenter(ModelProto model)
    {
        int count = model.Pieces.Count;
        _scores = new float[count];
        _types = new PieceType[count];
        _unknownId = model.TrainerSpec.UnkId;
        _trie = new CharTrie();
        float minScore = float.MaxValue;
        float maxScore = FloatMin;
        for (int id = 0; id < count; id++)
        {
            ModelProto.Types.SentencePiece piece = model.Pieces[id];
            PieceType type = piece.Type;
            _scores[id] = piece.Score;
            _types[id] = type;
            if (type is PieceType.Normal or PieceType.UserDefined or PieceType.Unused)
            {
                _trie.TryAdd(piece.Piece, id);
                _maxPieceLength = Math.Max(_maxPieceLength, piece.Piece.Length);
            }

            if (type == PieceType.Normal)
            {
                minScore = Math.Min(minScore, piece.Score);
                maxScore = Math.Max(maxScore, piece.Score);
            }
        }

        _unknownScore = minScore - UnknownPenalty;
        _maxScore = maxScore;
    }

    /// <summary>Appends the best segmentation of <paramref name="normalized"/> as (start, length, id) pieces.</summary>
    /// <param name="normalized">The normalized text.</param>
    /// <param name="pieces">Receives the pieces.</param>
    /// <param name="stableLength">
    /// -1 for the whole text. Otherwise <paramref name="normalized"/> is the start of a longer text, identical to it
    /// in its first <paramref name="stableLength"/> code units: only the pieces that the longer text's segmentation is
    /// sure to share are appended (see <see cref="ConvergedNode"/>), possibly none.
    /// </param>
    public void Segment(string normalized, List<(int Start, int Length, int Id)> pieces, int stableLength = -1)
    {
        int size = normalized.Length;
        var bestScore = new float[size + 1];
        var bestStart = new int[size + 1];
        var bestId = new int[size + 1];
        Array.Fill(bestStart, -1);

        int startsAt = 0;
        while (startsAt < size)
        {
            float scoreTillHere = bestScore[startsAt];
            int charLength = char.IsHighSurrogate(normalized[startsAt]) && startsAt + 1 < size && char.IsLowSurrogate(normalized[startsAt + 1]) ? 2 : 1;
            bool hasSingleNode = false;
            int node = CharTrie.Root;
            for (int keyPos = startsAt; keyPos < size; keyPos++)
            {
                node = _trie.Child(node, normalized[keyPos]);
                if (node < 0)
                {
                    break;
                }

                int id = _trie.Value(node);
                if (id < 0 || _types[id] == PieceType.Unused)
                {
                    continue;
                }

                int end = keyPos + 1;
                int length = end - startsAt;
                double score = _types[id] == PieceType.UserDefined ? (length * _maxScore) - 0.1 : _scores[id];
                double candidate = score + scoreTillHere;
                if (bestStart[end] == -1 || candidate > bestScore[end])
                {
                    bestScore[end] = (float)candidate;
                    bestStart[end] = startsAt;
                    bestId[end] = id;
                }

                if (length == charLength)
                {
                    hasSingleNode = true;
                }
            }

            if (!hasSingleNode)
            {
                int end = startsAt + charLength;
                float candidate = _unknownScore + scoreTillHere;
                if (bestStart[end] == -1 || candidate > bestScore[end])
                {
                    bestScore[end] = candidate;
                    bestStart[end] = startsAt;
                    bestId[end] = _unknownId;
                }
            }

            startsAt += charLength;
        }

        int first = pieces.Count;
        int last = stableLength >= 0 && stableLength < size ? ConvergedNode(bestStart, stableLength) : size;
        for (int endsAt = last; endsAt > 0; endsAt = bestStart[endsAt])
        {
            pieces.Add((bestStart[endsAt], endsAt - bestStart[endsAt], bestId[endsAt]));
        }

        pieces.Reverse(first, pieces.Count - first);
    }

    /// <summary>
    /// The last position that the best path to every position of the window (<paramref name="stable"/> minus the
    /// longest piece, <paramref name="stable"/>] goes through. The best path to a position depends only on the text
    /// before it, and no piece is longer than the window, so the best path of any longer text that agrees with this one
    /// up to <paramref name="stable"/> has a node in the window, goes through the returned position, and segments the
    /// text before it exactly as this one does. (Not a fixed distance: on a run of one repeated character the best
    /// paths of odd and even lengths can differ back to the start, and then this is 0.)
    /// </summary>
    private int ConvergedNode(int[] bestStart, int stable)
    {
        var frontier = new SortedSet<int>();
        for (int end = Math.Max(0, stable - _maxPieceLength + 1); end <= stable; end++)
        {
            if (end == 0 || bestStart[end] >= 0)
            {
                frontier.Add(end);
            }
        }

        while (frontier.Count > 1)
        {
            int latest = frontier.Max;
            frontier.Remove(latest);
            frontier.Add(bestStart[latest]);
        }

        return frontier.Count == 0 ? 0 : frontier.Min;
    }

    /// <summary>A trie over UTF-16 code units, its edges in one hash table.</summary>
    private sealed class CharTrie
    {
        public const int Root = 0;

        private readonly Dictionary<long, int> _edges = new();
        private readonly List<int> _values = new() { -1 };

        public void TryAdd(string key, int value)
        {
            int node = Root;
            foreach (char c in key)
            {
                long edge = ((long)node << 16) | c;
                if (!_edges.TryGetValue(edge, out int child))
                {
                    child = _values.Count;
                    _values.Add(-1);
                    _edges.Add(edge, child);
                }

                node = child;
            }

            if (node != Root && _values[node] < 0)
            {
                _values[node] = value;
            }
        }

        public int Child(int node, char c) => _edges.TryGetValue(((long)node << 16) | c, out int child) ? child : -1;

        public int Value(int node) => _values[node];
    }
}
