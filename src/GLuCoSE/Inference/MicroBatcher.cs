using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace GLuCoSE.Inference;

/// <summary>
/// Serializes model runs (one at a time, each using every intra-op thread) and coalesces concurrent single-text
/// requests into shared batches, without a background thread.
/// </summary>
/// <remarks>
/// <para>A caller that finds the model idle runs at once on its own thread: a lone caller waits for nothing. Callers
/// that arrive while a run is in progress queue up; when the run ends, the turn passes to the head of the queue. A
/// single-text request at the head leads: it takes the consecutive single-text requests behind it (up to the batch
/// limits), runs them as one batch, and hands each its result. A bulk caller's turn runs one of its own batches.
/// Turns are first come, first served, so no caller starves.</para>
/// <para>This is continuous batching as text-embeddings-inference does it: the batch forms while the previous one
/// runs. Callers released by one batch usually come straight back, so a leader waits until at most
/// <see cref="GlucoseEmbedderOptions.MicroBatchWait"/> after the last batch ended for its callers to queue again
/// (never when it is alone): batches stay as large as the concurrency, and every caller waits about one batch.</para>
/// </remarks>
internal sealed class MicroBatcher
{
    private readonly object _gate = new();
    private readonly LinkedList<Turn> _queue = new();
    private readonly int _maxBatch;
    private readonly TimeSpan _wait;
    private bool _busy;
    private int _activeSingles;
    private int _lastRoundCallers;
    private long _lastRoundEnd;
    private long _singleBatches;
    private long _singleRequests;

    /// <param name="maxBatch">The most single-text requests one round takes (the embedder splits a round into runs within its token budget).</param>
    /// <param name="wait">How long a round's leader may wait for the callers of the last round to come back.</param>
    public MicroBatcher(int maxBatch, TimeSpan wait)
    {
        _maxBatch = maxBatch;
        _wait = wait;
    }

    /// <summary>Gets how many micro-batches of single texts have run, and how many texts they held (for diagnostics).</summary>
    public (long Batches, long Texts) SingleStatistics => (Interlocked.Read(ref _singleBatches), Interlocked.Read(ref _singleRequests));

    /// <summary>Gets how many callers wait for a turn (for tests).</summary>
    internal int QueueLength
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> when it is this caller's turn, with the model to itself.</summary>
    public void RunExclusive(Action work)
    {
        Turn? turn = null;
        lock (_gate)
        {
            if (_busy)
            {
                turn = new Turn(null);
                _queue.AddLast(turn);

                // A leader waiting for single texts stops: none queued behind this turn could join its batch.
                Monitor.PulseAll(_gate);
            }
            else
            {
                _busy = true;
            }
        }

        turn?.WaitForTurn();
        try
        {
            work();
        }
        finally
        {
            PassTurn();
        }
    }

    /// <summary>
    /// Runs one sequence, batched with whatever single-sequence requests are waiting; <paramref name="runBatch"/> runs
    /// a batch and stores each request's result. Every caller of a batch is released when the whole batch is done, so
    /// they come back together and each waits about one round.
    /// </summary>
    public void RunSingle(SingleRequest request, Action<List<SingleRequest>> runBatch)
    {
        var turn = new Turn(request);
        bool lead;
        lock (_gate)
        {
            _activeSingles++;
            _queue.AddLast(turn);
            lead = !_busy;
            _busy = true;
            Monitor.PulseAll(_gate);
        }

        try
        {
            RunSingleCore(request, turn, lead, runBatch);
        }
        finally
        {
            lock (_gate)
            {
                _activeSingles--;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void RunSingleCore(SingleRequest request, Turn turn, bool lead, Action<List<SingleRequest>> runBatch)
    {
        if (!lead)
        {
            turn.WaitForTurn();
            if (request.IsComplete)
            {
                request.ThrowIfFailed();
                return;
            }
        }

        List<SingleRequest> batch = TakeBatch();
        Interlocked.Increment(ref _singleBatches);
        Interlocked.Add(ref _singleRequests, batch.Count);
        try
        {
            runBatch(batch);
        }
        catch (Exception ex)
        {
            foreach (SingleRequest member in batch)
            {
                member.Fail(ex);
            }
        }
        finally
        {
            foreach (SingleRequest member in batch)
            {
                if (member.Result is null && !member.HasFailed)
                {
                    member.Fail(new InvalidOperationException("The batch ended without a result for this text."));
                }

                Complete(member, request);
            }

            PassTurn(endsSingleRound: true);
        }

        request.ThrowIfFailed();
    }

    // Hands a finished request its result; the leader's own request needs no wake-up.
    private static void Complete(SingleRequest member, SingleRequest leader)
    {
        member.MarkComplete();
        if (member != leader)
        {
            member.Turn!.Release();
        }
    }

    // The turn is ours and a single request leads at the head of the queue: take it and the ones queued behind it.
    private List<SingleRequest> TakeBatch()
    {
        if (_wait > TimeSpan.Zero)
        {
            // Callers whose texts were just embedded usually come straight back with the next one: wait (briefly) until
            // as many callers are queued as took part in the last round, so the batch is as large as the concurrency
            // allows and every caller waits about one round. A lone caller's round had one caller: it never waits.
            // Nor does a leader that comes more than the wait after the last round ended (that round's callers did not
            // come straight back), or one with a bulk turn queued behind it (nobody behind that can join this batch).
            lock (_gate)
            {
                long deadline = _lastRoundEnd + (long)(_wait.TotalSeconds * Stopwatch.Frequency);
                int expected = Math.Min(_maxBatch, Math.Max(_lastRoundCallers, _activeSingles));
                while (CountLeadingSingles() is int leading && leading < expected && leading == _queue.Count)
                {
                    long left = deadline - Stopwatch.GetTimestamp();
                    if (left <= 0)
                    {
                        break;
                    }

                    Monitor.Wait(_gate, TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
                }
            }
        }

        var batch = new List<SingleRequest>(Math.Min(_maxBatch, 64));
        lock (_gate)
        {
            while (_queue.First is { } node && node.Value.Request is SingleRequest next && batch.Count < _maxBatch)
            {
                next.Turn = node.Value;
                batch.Add(next);
                _queue.RemoveFirst();
            }

            // The callers of this round: this batch and the single requests still queued behind it. Most come back.
            _lastRoundCallers = batch.Count + CountLeadingSingles();
        }

        return batch;
    }

    private int CountLeadingSingles()
    {
        int count = 0;
        for (LinkedListNode<Turn>? node = _queue.First; node is not null && node.Value.Request is not null; node = node.Next)
        {
            count++;
        }

        return count;
    }

    private void PassTurn(bool endsSingleRound = false)
    {
        lock (_gate)
        {
            if (endsSingleRound)
            {
                _lastRoundEnd = Stopwatch.GetTimestamp();
            }

            if (_queue.First is not { } head)
            {
                _busy = false;
                return;
            }

            if (head.Value.Request is null)
            {
                _queue.RemoveFirst();
            }

            head.Value.Release();
        }
    }

    /// <summary>A place in the queue: a bulk caller's batch (no request) or a single-sequence request.</summary>
    [SuppressMessage("Design", "CA1001", Justification = "The event allocates no handle (see below); disposing it would race with Set.")]
    internal sealed class Turn(SingleRequest? request)
    {
        // Never disposed: it allocates no kernel handle unless its WaitHandle is asked for, and disposing it while
        // Set may still be returning on another thread would be a race.
        private readonly ManualResetEventSlim _signal = new(false);

        public SingleRequest? Request { get; } = request;

        public void WaitForTurn() => _signal.Wait();

        public void Release() => _signal.Set();
    }

    /// <summary>One text waiting to be embedded.</summary>
    internal sealed class SingleRequest(int[] ids)
    {
        private ExceptionDispatchInfo? _error;

        public int[] Ids { get; } = ids;

        public float[]? Result { get; set; }

        public bool IsComplete { get; private set; }

        internal Turn? Turn { get; set; }

        public bool HasFailed => _error is not null;

        public void Fail(Exception ex) => _error = ExceptionDispatchInfo.Capture(ex);

        public void MarkComplete() => IsComplete = true;

        public void ThrowIfFailed() => _error?.Throw();
    }
}
