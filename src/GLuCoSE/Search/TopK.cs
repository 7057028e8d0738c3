using System;
using System.Collections.Generic;

namespace GLuCoSE.Search;

/// <summary>Keeps the <c>k</c> best (index, score) pairs seen; among equal scores the one seen first stays.</summary>
internal sealed class TopK
{
    private readonly PriorityQueue<int, float> _heap;
    private readonly int _k;

    public TopK(int k)
    {
        _k = k;
        _heap = new PriorityQueue<int, float>(k + 1);
    }

    public void Offer(int index, float score)
    {
        if (float.IsNaN(score))
        {
            score = float.NegativeInfinity;
        }

        if (_heap.Count < _k)
        {
            _heap.Enqueue(index, score);
        }
        else if (_k > 0 && _heap.TryPeek(out _, out float worst) && score > worst)
        {
            _heap.DequeueEnqueue(index, score);
        }
    }

    /// <summary>The pairs kept, best first (ties by lower index).</summary>
    public SearchHit[] ToSortedArray()
    {
        var hits = new SearchHit[_heap.Count];
        int n = 0;
        foreach ((int index, float score) in _heap.UnorderedItems)
        {
            hits[n++] = new SearchHit(index, score);
        }

        Array.Sort(hits, static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
        return hits;
    }
}
