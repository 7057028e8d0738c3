using System;
using System.Collections.Generic;

namespace GLuCoSE.Inference;

/// <summary>How texts are grouped into model runs: longest first, then cut by a sequence count and a token budget.</summary>
internal static class BatchPlanner
{
    /// <summary>
    /// Returns the indices of <paramref name="sequences"/> longest first (ties in input order), as sentence-transformers
    /// sorts them, so that each batch pads as little as possible.
    /// </summary>
    public static int[] OrderByLengthDescending(IReadOnlyList<int[]> sequences)
    {
        var order = new int[sequences.Count];
        var keys = new long[sequences.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
            keys[i] = ((long)-sequences[i].Length << 32) | (uint)i;
        }

        Array.Sort(keys, order);
        return order;
    }

    /// <summary>
    /// Cuts sequences already ordered longest first into batches of at most <paramref name="maxBatch"/> sequences and
    /// at most <paramref name="maxTokens"/> padded tokens (count × longest), a longer sequence still getting a batch.
    /// </summary>
    /// <returns>(start, count) pairs over the ordered lengths.</returns>
    public static List<(int Start, int Count)> Plan(ReadOnlySpan<int> orderedLengths, int maxBatch, int maxTokens)
    {
        var batches = new List<(int Start, int Count)>();
        int start = 0;
        while (start < orderedLengths.Length)
        {
            int longest = orderedLengths[start];
            int count = Math.Min(maxBatch, orderedLengths.Length - start);
            if (maxTokens > 0)
            {
                count = Math.Clamp(maxTokens / Math.Max(longest, 1), 1, count);
            }

            batches.Add((start, count));
            start += count;
        }

        return batches;
    }

    /// <summary>
    /// The model's fixed cost per run in tokens of compute: each run streams every weight from memory once
    /// (measured on the full-size graph on CPU: about 7 ms per run against 0.44 ms per token).
    /// </summary>
    public const int RunOverheadTokens = 16;

    /// <summary>
    /// Splits sequences ordered longest first into consecutive groups that cost least to run: each group pays
    /// <see cref="RunOverheadTokens"/> plus its padded tokens (count × longest). Micro-batches of unrelated texts
    /// vary in length, and one padded batch would spend much of its compute on padding.
    /// </summary>
    /// <returns>(start, count) pairs over the ordered lengths.</returns>
    public static List<(int Start, int Count)> SplitByPaddingCost(ReadOnlySpan<int> orderedLengths) =>
        SplitByPaddingCost(orderedLengths, RunOverheadTokens);

    /// <summary>As <see cref="SplitByPaddingCost(ReadOnlySpan{int})"/>, with another fixed cost per run (for the benchmarks).</summary>
    internal static List<(int Start, int Count)> SplitByPaddingCost(ReadOnlySpan<int> orderedLengths, int overheadTokens)
    {
        int n = orderedLengths.Length;
        var best = new long[n + 1];
        var cut = new int[n + 1];
        for (int end = 1; end <= n; end++)
        {
            best[end] = long.MaxValue;
            for (int start = 0; start < end; start++)
            {
                long cost = best[start] + overheadTokens + ((long)(end - start) * orderedLengths[start]);
                if (cost < best[end])
                {
                    best[end] = cost;
                    cut[end] = start;
                }
            }
        }

        var groups = new List<(int Start, int Count)>();
        for (int end = n; end > 0; end = cut[end])
        {
            groups.Add((cut[end], end - cut[end]));
        }

        groups.Reverse();
        return groups;
    }
}
