using System;
using System.Collections.Generic;

namespace GLuCoSE.Search;

/// <summary>
/// Keeps the <c>k</c> best (index, score) pairs seen; among equal scores the lower index stays, whatever the order
/// of the offers.
/// </summary>
internal sealed class TopK
{
    /// <summary>The heap's order: the worst pair first, that is the lower score, and among equal scores the higher index.</summary>
    private static readonly Comparer<(float Score, int Index)> WorstFirst = Comparer<(float Score, int Index)>.Create(
        static (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Index.CompareTo(a.Index));

    private readonly PriorityQueue<int, (float Score, int Index)> _heap;
    private readonly int _k;

    public TopK(int k)
    {
        _k = k;
        _heap = new PriorityQueue<int, (float Score, int Index)>(k + 1, WorstFirst);
    }

    public void Offer(int index, float score)
    {
        if (float.IsNaN(score))
        {
            score = float.NegativeInfinity;
        }

        if (_heap.Count < _k)
        {
            _heap.Enqueue(index, (score, index));
        }
        else if (_k > 0 && _heap.TryPeek(out _, out (float Score, int Index) worst) && WorstFirst.Compare((score, index), worst) > 0)
        {
            _heap.DequeueEnqueue(index, (score, index));
        }
    }

    /// <summary>The pairs kept, best first (ties by lower index).</summary>
    public SearchHit[] ToSortedArray()
    {
        var hits = new SearchHit[_heap.Count];
        int n = 0;
        foreach ((int index, (float score, _)) in _heap.UnorderedItems)
        {
            hits[n++] = new SearchHit(index, score);
        }

        Array.Sort(hits, static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
        return hits;
    }
}
