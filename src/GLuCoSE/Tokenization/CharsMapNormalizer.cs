using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using GLuCoSE.Tokenization.SentencePieceModel;

namespace GLuCoSE.Tokenization;

/// <summary>
/// SentencePiece's normalizer (<c>normalizer.cc</c>): the model's precompiled character map (a Darts double-array
/// trie over UTF-8 prefixes), whitespace trimming and collapsing, the dummy prefix and the <c>▁</c> escape.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers 2.0.1 keeps characters the map deletes (U+0007 and other controls) and skips the map for
/// BPE models, so the normalization is done here, byte for byte as SentencePiece does it, on UTF-8.
/// </remarks>
internal sealed class CharsMapNormalizer
{
    private static readonly byte[] SpaceSymbol = [0xE2, 0x96, 0x81]; // U+2581 '▁'
    private static readonly byte[] ReplacementCharacter = [0xEF, 0xBF, 0xBD];
    private const int MaxTrieResults = 32;

    private readonly uint[] _trie;
    private readonly byte[] _normalized;
    private readonly bool _addDummyPrefix;
    private readonly bool _removeExtraWhitespaces;
    private readonly bool _escapeWhitespaces;
    private readonly bool _treatWhitespaceAsSuffix;
    private readonly PrefixMatcher? _userDefined;

    public CharsMapNormalizer(ModelProto model, PrefixMatcher? userDefinedSymbols)
    {
        NormalizerSpec spec = model.NormalizerSpec;
        _addDummyPrefix = spec.AddDummyPrefix;
        _removeExtraWhitespaces = spec.RemoveExtraWhitespaces;
        _escapeWhitespaces = spec.EscapeWhitespaces;
        _treatWhitespaceAsSuffix = model.TrainerSpec.TreatWhitespaceAsSuffix;
        _userDefined = userDefinedSymbols;

        ReadOnlySpan<byte> blob = spec.PrecompiledCharsmap.Span;
        if (blob.Length == 0)
        {
            _trie = Array.Empty<uint>();
            _normalized = Array.Empty<byte>();
            return;
        }

        if (blob.Length < 4)
        {
            throw new InvalidDataException("The precompiled character map of the SentencePiece model is truncated.");
        }

        uint trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize > (uint)(blob.Length - 4) || trieSize % 4 != 0)
        {
            throw new InvalidDataException("The precompiled character map of the SentencePiece model is malformed.");
        }

        _trie = new uint[trieSize / 4];
        for (int i = 0; i < _trie.Length; i++)
        {
            _trie[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob[(4 + (i * 4))..]);
        }

        _normalized = blob[(4 + (int)trieSize)..].ToArray();
    }

    /// <summary>Normalizes UTF-8 <paramref name="input"/> into <paramref name="output"/>.</summary>
    /// <param name="input">The text, UTF-8.</param>
    /// <param name="output">Receives the normalized text, UTF-8.</param>
    /// <param name="normalizedToOriginal">
    /// When not null, receives for each output byte, and for the end of the output, the input byte offset it came from
    /// (SentencePiece's <c>norm_to_orig</c>).
    /// </param>
    public void Normalize(ReadOnlySpan<byte> input, ByteBuffer output, List<int>? normalizedToOriginal = null)
    {
        output.Clear();
        normalizedToOriginal?.Clear();
        int consumed = 0;
        if (input.IsEmpty)
        {
            normalizedToOriginal?.Add(0);
            return;
        }

        if (_removeExtraWhitespaces)
        {
            while (!input.IsEmpty)
            {
                ReadOnlySpan<byte> piece = NormalizePrefix(input, out int length);
                if (piece.Length != 1 || piece[0] != (byte)' ')
                {
                    break;
                }

                input = input[length..];
                consumed += length;
            }
        }

        if (input.IsEmpty)
        {
            normalizedToOriginal?.Add(consumed);
            return;
        }

        if (!_treatWhitespaceAsSuffix && _addDummyPrefix)
        {
            AppendSpace(output, normalizedToOriginal, consumed);
        }

        bool isPrevSpace = _removeExtraWhitespaces;
        while (!input.IsEmpty)
        {
            ReadOnlySpan<byte> piece = NormalizePrefix(input, out int length);
            while (isPrevSpace && !piece.IsEmpty && piece[0] == (byte)' ')
            {
                piece = piece[1..];
            }

            if (!piece.IsEmpty)
            {
                foreach (byte b in piece)
                {
                    if (_escapeWhitespaces && b == (byte)' ')
                    {
                        output.Append(SpaceSymbol);
                        AddOffsets(normalizedToOriginal, consumed, SpaceSymbol.Length);
                    }
                    else
                    {
                        output.Append(b);
                        normalizedToOriginal?.Add(consumed);
                    }
                }

                isPrevSpace = piece[^1] == (byte)' ';
            }

            consumed += length;
            input = input[length..];
            if (!_removeExtraWhitespaces)
            {
                isPrevSpace = false;
            }
        }

        if (_removeExtraWhitespaces)
        {
            ReadOnlySpan<byte> space = _escapeWhitespaces ? SpaceSymbol : " "u8;
            while (output.Span.EndsWith(space))
            {
                output.Length -= space.Length;
                if (normalizedToOriginal is not null)
                {
                    consumed = normalizedToOriginal[output.Length];
                    normalizedToOriginal.RemoveRange(output.Length, normalizedToOriginal.Count - output.Length);
                }
            }
        }

        if (_treatWhitespaceAsSuffix && _addDummyPrefix)
        {
            AppendSpace(output, normalizedToOriginal, consumed);
        }

        normalizedToOriginal?.Add(consumed);
    }

    private static void AddOffsets(List<int>? offsets, int value, int count)
    {
        if (offsets is null)
        {
            return;
        }

        for (int i = 0; i < count; i++)
        {
            offsets.Add(value);
        }
    }

    private void AppendSpace(ByteBuffer output, List<int>? normalizedToOriginal, int consumed)
    {
        if (_escapeWhitespaces)
        {
            output.Append(SpaceSymbol);
            AddOffsets(normalizedToOriginal, consumed, SpaceSymbol.Length);
        }
        else
        {
            output.Append((byte)' ');
            normalizedToOriginal?.Add(consumed);
        }
    }

    /// <summary>
    /// The normalized form of the longest prefix of <paramref name="input"/> the map knows, else of its first
    /// character (a malformed byte becomes U+FFFD); <paramref name="consumed"/> is how many input bytes that took.
    /// </summary>
    private ReadOnlySpan<byte> NormalizePrefix(ReadOnlySpan<byte> input, out int consumed)
    {
        if (_userDefined is not null)
        {
            consumed = _userDefined.LongestPrefix(input);
            if (consumed > 0)
            {
                return input[..consumed];
            }
        }

        int longestLength = 0;
        int longestValue = 0;
        if (_trie.Length != 0)
        {
            CommonPrefixSearch(input, ref longestLength, ref longestValue);
        }

        if (longestLength == 0)
        {
            int length = Utf8.ValidCharLength(input);
            consumed = length == 0 ? 1 : length;
            return length == 0 ? ReplacementCharacter : input[..length];
        }

        ReadOnlySpan<byte> rest = _normalized.AsSpan(longestValue);
        int terminator = rest.IndexOf((byte)0);
        consumed = longestLength;
        return terminator < 0 ? rest : rest[..terminator];
    }

    // Darts-clone DoubleArray::commonPrefixSearch, keeping the longest of the first MaxTrieResults matches.
    private void CommonPrefixSearch(ReadOnlySpan<byte> key, ref int longestLength, ref int longestValue)
    {
        uint nodePos = 0;
        uint unit = _trie[0];
        nodePos ^= Offset(unit);
        int results = 0;
        for (int i = 0; i < key.Length; i++)
        {
            nodePos ^= key[i];
            if (nodePos >= (uint)_trie.Length)
            {
                return;
            }

            unit = _trie[nodePos];
            if (Label(unit) != key[i])
            {
                return;
            }

            nodePos ^= Offset(unit);
            if (HasLeaf(unit))
            {
                if (results < MaxTrieResults && nodePos < (uint)_trie.Length)
                {
                    if (longestLength == 0 || i + 1 > longestLength)
                    {
                        longestLength = i + 1;
                        longestValue = (int)Value(_trie[nodePos]);
                    }
                }

                results++;
            }
        }
    }

    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;

    private static uint Value(uint unit) => unit & ((1U << 31) - 1);

    private static uint Label(uint unit) => unit & ((1U << 31) | 0xFF);

    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1U << 9)) >> 6);
}
