using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace GLuCoSE.Scheduling;

/// <summary>
/// Gives callers their turns on the model, one at a time (each run uses every intra-op thread), and coalesces
/// concurrent single-text requests into shared rounds, without a background thread. It runs nothing itself: a caller
/// asks for a turn, does its work, and hands the turn back.
/// </summary>
/// <remarks>
/// <para>A caller that finds the model idle gets its turn at once: a lone caller waits for nothing. Callers that arrive
/// while a turn is in progress queue up; when it ends, the turn passes to the head of the queue. A single-text request
/// at the head leads: <see cref="JoinRound"/> hands it the consecutive single-text requests queued behind it (up to
/// the batch size) as one round, and <see cref="EndRound"/> releases them all with their results. A bulk caller's
/// turn (<see cref="EnterTurn"/>) runs one of its batches. Turns are first come, first served, so no caller starves.</para>
/// <para>This is continuous batching as text-embeddings-inference does it: the next round forms while the current one
/// runs. Callers released by a round usually come straight back, so a leader waits until at most the micro-batch wait
/// after the last round ended for as many callers as that round had (never when it is alone, nor with a bulk turn
/// queued behind it). Time comes from a <see cref="TimeProvider"/>, so tests drive the wait with fake time.</para>
/// </remarks>
internal sealed class MicroBatcher
{
    private readonly object _gate = new();
    private readonly LinkedList<Turn> _queue = new();
    private readonly int _maxBatch;
    private readonly TimeSpan _wait;
    private readonly TimeProvider _time;
    private bool _busy;
    private int _activeSingles;
    private int _lastRoundCallers;
    private long _lastRoundEnd = long.MinValue;
    private long _rounds;
    private long _roundTexts;

    /// <param name="maxBatch">The most single-text requests one round takes.</param>
    /// <param name="wait">How long after a round ended the next leader may wait for that round's callers to come back.</param>
    /// <param name="time">The clock the wait is measured on.</param>
    public MicroBatcher(int maxBatch, TimeSpan wait, TimeProvider time)
    {
        _maxBatch = maxBatch;
        _wait = wait;
        _time = time;
    }

    /// <summary>Gets how many rounds of single texts have run, and how many texts they held.</summary>
    public (long Rounds, long Texts) RoundStatistics => (Interlocked.Read(ref _rounds), Interlocked.Read(ref _roundTexts));

    /// <summary>Gets how many callers wait for a turn.</summary>
    public int QueueLength
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Waits for a turn of the caller's own (a bulk batch); dispose the result to hand the turn on.</summary>
    /// <param name="cancellationToken">Ends the wait: the caller leaves the queue and gets <see cref="OperationCanceledException"/>.</param>
    public ExclusiveTurn EnterTurn(CancellationToken cancellationToken)
    {
        Turn? turn = null;
        lock (_gate)
        {
            if (_busy)
            {
                turn = new Turn(null);
                _queue.AddLast(turn);

                // A leader waiting for single texts stops: none queued behind this turn could join its round.
                Monitor.PulseAll(_gate);
            }
            else
            {
                _busy = true;
            }
        }

        if (turn is not null)
        {
            try
            {
                turn.WaitForTurn(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    if (_queue.Remove(turn))
                    {
                        throw;
                    }
                }

                // The turn was handed to this caller as it was canceled: hand it on.
                PassTurn();
                throw;
            }
        }

        return new ExclusiveTurn(this);
    }

    /// <summary>
    /// Queues <paramref name="request"/> and waits. Returns null when another caller's round has completed it (its
    /// result or error is set); otherwise the caller leads a round, returned here with the request in it: the caller runs
    /// it, sets every member's result (or error), and then must call <see cref="EndRound"/>.
    /// </summary>
    public List<SingleRequest>? JoinRound(SingleRequest request)
    {
        var turn = new Turn(request);
        request.Turn = turn;
        bool lead;
        lock (_gate)
        {
            _activeSingles++;
            _queue.AddLast(turn);
            lead = !_busy;
            _busy = true;
            Monitor.PulseAll(_gate);
        }

        if (!lead)
        {
            turn.WaitForTurn();
            if (request.IsComplete)
            {
                return null;
            }
        }

        WaitForCallers();
        List<SingleRequest> round = TakeRound();
        Interlocked.Increment(ref _rounds);
        Interlocked.Add(ref _roundTexts, round.Count);
        return round;
    }

    /// <summary>
    /// Ends a round returned by <see cref="JoinRound"/>: fails any member left without a result, releases the members'
    /// callers, and hands the turn on.
    /// </summary>
    public void EndRound(List<SingleRequest> round)
    {
        lock (_gate)
        {
            foreach (SingleRequest member in round)
            {
                if (member.Result is null && !member.HasFailed)
                {
                    member.Fail(new InvalidOperationException("The round ended without a result for this text."));
                }

                member.IsComplete = true;
                member.Turn!.Release();
                _activeSingles--;
            }

            _lastRoundEnd = _time.GetTimestamp();
        }

        PassTurn();
    }

    private void WaitForCallers()
    {
        if (_wait <= TimeSpan.Zero)
        {
            return;
        }

        // Callers whose texts were just embedded usually come straight back with the next one: wait (briefly) until as
        // many callers are queued as took part in the last round, so the round is as large as the concurrency allows
        // and every caller waits about one round. A lone caller's round had one caller: it never waits. Nor does a
        // leader that comes more than the wait after the last round ended, or one with a bulk turn queued behind it.
        lock (_gate)
        {
            if (_lastRoundEnd == long.MinValue)
            {
                return;
            }

            long deadline = _lastRoundEnd + (long)(_wait.TotalSeconds * _time.TimestampFrequency);
            int expected = Math.Min(_maxBatch, Math.Max(_lastRoundCallers, _activeSingles));
            while (CountLeadingSingles() is int leading && leading < expected && leading == _queue.Count)
            {
                long left = deadline - _time.GetTimestamp();
                if (left <= 0)
                {
                    return;
                }

                // A new caller or a bulk turn wakes this wait sooner. On the system clock the wait's own timeout ends it
                // exactly (a timer's callback would first need a thread-pool thread on cores busy with the model); a
                // clock of another kind (fake time in tests) ends it through a timer on that clock.
                TimeSpan timeout = TimeSpan.FromSeconds((double)left / _time.TimestampFrequency);
                using ITimer? timer = _time == TimeProvider.System
                    ? null
                    : _time.CreateTimer(static state => ((MicroBatcher)state!).Wake(), this, timeout, Timeout.InfiniteTimeSpan);
                Monitor.Wait(_gate, timeout);
            }
        }
    }

    private void Wake()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }

    // The turn is ours and a single request leads at the head of the queue: take it and the ones queued behind it.
    private List<SingleRequest> TakeRound()
    {
        var round = new List<SingleRequest>(Math.Min(_maxBatch, 64));
        lock (_gate)
        {
            while (_queue.First is { } node && node.Value.Request is SingleRequest next && round.Count < _maxBatch)
            {
                round.Add(next);
                _queue.RemoveFirst();
            }

            // The callers of this round: this round and the single requests still queued behind it. Most come back.
            _lastRoundCallers = round.Count + CountLeadingSingles();
        }

        return round;
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

    private void PassTurn()
    {
        lock (_gate)
        {
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

    /// <summary>A bulk caller's turn on the model; disposing it hands the turn on.</summary>
    internal readonly struct ExclusiveTurn(MicroBatcher owner) : IDisposable
    {
        public void Dispose() => owner.PassTurn();
    }

    /// <summary>A place in the queue: a bulk caller's turn (no request) or a single-text request.</summary>
    [SuppressMessage("Design", "CA1001", Justification = "The event allocates no handle (see below); disposing it would race with Set.")]
    internal sealed class Turn(SingleRequest? request)
    {
        // Never disposed: it allocates no kernel handle unless its WaitHandle is asked for, and disposing it while
        // Set may still be returning on another thread would be a race.
        private readonly ManualResetEventSlim _signal = new(false);

        public SingleRequest? Request { get; } = request;

        public void WaitForTurn(CancellationToken cancellationToken = default) => _signal.Wait(cancellationToken);

        public void Release() => _signal.Set();
    }
}
