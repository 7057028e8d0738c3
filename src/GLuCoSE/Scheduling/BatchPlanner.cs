using System;
using System.Collections.Generic;

namespace GLuCoSE.Scheduling;

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
            count = Math.Clamp(maxTokens / Math.Max(longest, 1), 1, count);

            batches.Add((start, count));
            start += count;
        }

        return batches;
    }

    /// <summary>
    /// Splits sequences ordered longest first into consecutive groups that cost least to run: each group pays
    /// <paramref name="overheadTokens"/> (a run's fixed cost) plus its padded tokens (count × longest), and holds at
    /// most <paramref name="maxTokens"/> padded tokens unless it is a single sequence. Micro-batches of unrelated texts
    /// vary in length, and one padded batch would spend much of its compute on padding.
    /// </summary>
    /// <returns>(start, count) pairs over the ordered lengths.</returns>
    public static List<(int Start, int Count)> SplitByPaddingCost(ReadOnlySpan<int> orderedLengths, int overheadTokens, int maxTokens)
    {
        int n = orderedLengths.Length;
        var best = new long[n + 1];
        var cut = new int[n + 1];
        for (int end = 1; end <= n; end++)
        {
            best[end] = long.MaxValue;
            for (int start = 0; start < end; start++)
            {
                long padded = (long)(end - start) * orderedLengths[start];
                if (end - start > 1 && padded > maxTokens)
                {
                    continue;
                }

                long cost = best[start] + overheadTokens + padded;
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

    /// <summary>
    /// Splits sequences ordered longest first between two lanes that run at once, each on half the threads: a cut
    /// into a longer and a shorter part, each split by <see cref="SplitByPaddingCost"/> within
    /// <paramref name="maxTokens"/>, chosen to
    /// end the two lanes together. Null when the lanes would take longer than <paramref name="serial"/> one after
    /// another on all the threads, given that a run on half the threads takes <paramref name="halfThreadsSlowdown"/>
    /// times as long.
    /// </summary>
    /// <returns>The two lanes' (start, count) pairs over the ordered lengths.</returns>
    public static (List<(int Start, int Count)> First, List<(int Start, int Count)> Second)? SplitInTwoLanes(
        ReadOnlySpan<int> orderedLengths, List<(int Start, int Count)> serial, double halfThreadsSlowdown, int maxTokens, int overheadTokens)
    {
        long serialCost = Cost(orderedLengths, serial, overheadTokens);
        long bestLonger = long.MaxValue;
        int bestCut = -1;
        for (int cut = 1; cut < orderedLengths.Length; cut++)
        {
            long first = Cost(orderedLengths[..cut], SplitByPaddingCost(orderedLengths[..cut], overheadTokens, maxTokens), overheadTokens);
            long second = Cost(orderedLengths[cut..], SplitByPaddingCost(orderedLengths[cut..], overheadTokens, maxTokens), overheadTokens);
            if (Math.Max(first, second) < bestLonger)
            {
                bestLonger = Math.Max(first, second);
                bestCut = cut;
            }
        }

        if (bestCut < 0 || bestLonger * halfThreadsSlowdown >= serialCost)
        {
            return null;
        }

        List<(int Start, int Count)> firstLane = SplitByPaddingCost(orderedLengths[..bestCut], overheadTokens, maxTokens);
        List<(int Start, int Count)> secondLane = SplitByPaddingCost(orderedLengths[bestCut..], overheadTokens, maxTokens);
        for (int i = 0; i < secondLane.Count; i++)
        {
            secondLane[i] = (secondLane[i].Start + bestCut, secondLane[i].Count);
        }

        return (firstLane, secondLane);
    }

    /// <summary>
    /// Where to cut one batch (lengths longest first) into two halves that run at once on the two lanes: the cut that
    /// makes the longer half's padded tokens least. Null when the batch holds one text, has fewer than
    /// <paramref name="minBatchTokens"/> padded tokens (small runs gain nothing), or when a half would pass
    /// <paramref name="maxRunTokens"/> (large runs go faster on all the threads).
    /// </summary>
    /// <returns>How many texts the first half takes.</returns>
    public static int? SplitForLanes(ReadOnlySpan<int> orderedLengths, int minBatchTokens, int maxRunTokens)
    {
        int n = orderedLengths.Length;
        if (n < 2 || (long)n * orderedLengths[0] < minBatchTokens)
        {
            return null;
        }

        int best = -1;
        long bestLonger = long.MaxValue;
        for (int cut = 1; cut < n; cut++)
        {
            long longer = Math.Max((long)cut * orderedLengths[0], (long)(n - cut) * orderedLengths[cut]);
            if (longer < bestLonger)
            {
                bestLonger = longer;
                best = cut;
            }
        }

        return best > 0 && bestLonger <= maxRunTokens ? best : null;
    }

    /// <summary>The cost of <paramref name="groups"/> in tokens of compute: <paramref name="overheadTokens"/> plus the padded tokens of each.</summary>
    public static long Cost(ReadOnlySpan<int> orderedLengths, List<(int Start, int Count)> groups, int overheadTokens)
    {
        long cost = 0;
        foreach ((int start, int count) in groups)
        {
            cost += overheadTokens + ((long)count * orderedLengths[start]);
        }

        return cost;
    }
}
