using System;
using System.Numerics;
using System.Numerics.Tensors;
using GLuCoSE.Search;

namespace GLuCoSE;

public sealed partial class EmbeddingIndex
{
    // Symmetric scalar quantization of a unit row: code = round(x / scale), scale = max|x| / 127.
    private static float QuantizeInt8(ReadOnlySpan<float> unit, Span<sbyte> codes)
    {
        float largest = Math.Abs(TensorPrimitives.MaxMagnitude(unit));
        float scale = largest > 0 ? largest / 127f : 1f;
        for (int i = 0; i < unit.Length; i++)
        {
            codes[i] = (sbyte)Math.Clamp(MathF.Round(unit[i] / scale), -127f, 127f);
        }

        return scale;
    }

    private static void PackSigns(ReadOnlySpan<float> unit, Span<ulong> words)
    {
        words.Clear();
        for (int i = 0; i < unit.Length; i++)
        {
            if (unit[i] > 0)
            {
                words[i >> 6] |= 1UL << (i & 63);
            }
        }
    }

    private SearchHit[] SearchQuantized(float[] query, int top)
    {
        bool rescore = _options.Rescore;
        int candidates = rescore ? (int)Math.Min((long)top * _options.RescoreMultiplier, Count) : top;

        // First pass: the quantized query against the quantized rows.
        var firstPass = new TopK(candidates);
        if (Quantization == EmbeddingQuantization.Int8)
        {
            var queryCodes = new sbyte[Dimensions];
            float queryScale = QuantizeInt8(query, queryCodes);
            for (int row = 0; row < Count; row++)
            {
                int dot = Int8Dot.Compute(queryCodes, _codes.AsSpan(row * Dimensions, Dimensions));
                firstPass.Offer(row, dot * queryScale * _scales[row]);
            }
        }
        else
        {
            var queryBits = new ulong[_words];
            PackSigns(query, queryBits);
            for (int row = 0; row < Count; row++)
            {
                firstPass.Offer(row, 1f - (2f * Hamming(queryBits, _bits.AsSpan(row * _words, _words)) / Dimensions));
            }
        }

        SearchHit[] hits = firstPass.ToSortedArray();
        if (!rescore)
        {
            return hits;
        }

        // Rescoring: the float query against the stored (quantized) rows, as sentence-transformers rescores.
        var best = new TopK(top);
        var unpacked = new float[Dimensions];
        float signScale = 1f / MathF.Sqrt(Dimensions);
        foreach (SearchHit hit in hits)
        {
            if (Quantization == EmbeddingQuantization.Int8)
            {
                TensorPrimitives.ConvertChecked<sbyte, float>(_codes.AsSpan(hit.Index * Dimensions, Dimensions), unpacked);
                best.Offer(hit.Index, TensorPrimitives.Dot(query, unpacked) * _scales[hit.Index]);
            }
            else
            {
                UnpackSigns(_bits.AsSpan(hit.Index * _words, _words), unpacked);
                best.Offer(hit.Index, TensorPrimitives.Dot(query, unpacked) * signScale);
            }
        }

        return best.ToSortedArray();
    }

    private static int Hamming(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        int distance = 0;
        for (int i = 0; i < a.Length; i++)
        {
            distance += BitOperations.PopCount(a[i] ^ b[i]);
        }

        return distance;
    }

    private static void UnpackSigns(ReadOnlySpan<ulong> words, Span<float> signs)
    {
        for (int i = 0; i < signs.Length; i++)
        {
            signs[i] = ((words[i >> 6] >> (i & 63)) & 1) != 0 ? 1f : -1f;
        }
    }
}
