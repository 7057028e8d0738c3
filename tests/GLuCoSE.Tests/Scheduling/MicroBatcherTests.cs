using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Scheduling;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace GLuCoSE.Tests.Scheduling;

/// <summary>
/// The micro-batcher's scheduling, with a fake model run and fake time: callers are real threads, the micro-batch wait
/// is driven by <see cref="FakeTimeProvider"/>, and no test measures a duration. A caller that waits when it should
/// not never gets its time advanced, so it fails the deadlock guard instead.
/// </summary>
public sealed class MicroBatcherTests
{
    // Generous: only a deadlock (a wait that never ends) reaches it.
    private static readonly TimeSpan DeadlockGuard = TimeSpan.FromSeconds(30);

    // Long enough for a thread that was released to finish; a test that uses it can only pass wrongly, never fail wrongly.
    private static readonly TimeSpan StillWaitingCheck = TimeSpan.FromMilliseconds(50);

    private readonly FakeTimeProvider _time = new();
    private readonly ConcurrentQueue<int> _rounds = new();

    [Fact]
    public void JoinRound_CallersQueuedBehindABulkTurn_ShareTheNextRound()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.Zero, _time);
        var requests = Enumerable.Range(1, 8).Select(k => new SingleRequest(new int[k])).ToArray();

        Task[] singles;
        using (batcher.EnterTurn(TestContext.Current.CancellationToken))
        {
            singles = requests.Select(r => Start(() => Single(batcher, r))).ToArray();
            WaitUntil(() => batcher.QueueLength == 8, "8 callers to queue");
        }

        AssertCompleted(singles);
        Assert.Equal([8], _rounds.ToArray());
        Assert.All(requests, r => Assert.Equal(r.Ids.Length, r.GetResult()[0]));
        Assert.Equal((1L, 8L), batcher.RoundStatistics);
    }

    [Fact]
    public void JoinRound_MoreCallersThanMaxBatch_CutsTheQueueIntoRounds()
    {
        var batcher = new MicroBatcher(maxBatch: 3, wait: TimeSpan.Zero, _time);

        Task[] singles;
        using (batcher.EnterTurn(TestContext.Current.CancellationToken))
        {
            singles = Enumerable.Range(0, 7).Select(_ => Start(() => Single(batcher, new SingleRequest([1, 2])))).ToArray();
            WaitUntil(() => batcher.QueueLength == 7, "7 callers to queue");
        }

        AssertCompleted(singles);
        Assert.Equal([3, 3, 1], _rounds.ToArray());
    }

    [Fact]
    public void JoinRound_LoneCallerWithLongWait_NeverWaits()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.FromSeconds(1), _time);

        // Time never moves: a caller that waited for others would wait forever.
        Task lone = Start(() =>
        {
            for (int i = 0; i < 5; i++)
            {
                Single(batcher, new SingleRequest([1]));
            }
        });

        AssertCompleted(lone);
        Assert.Equal([1, 1, 1, 1, 1], _rounds.ToArray());
    }

    [Fact]
    public void JoinRound_LeaderAfterABurst_WaitsUntilTheWaitAfterTheRoundEndedThenGoes()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.FromMilliseconds(500), _time);
        Burst(batcher, 8);

        // The last round had 8 callers: the next leader waits for them to come back, at most 500 ms after that round.
        Task lone = Start(() => Single(batcher, new SingleRequest([1])));
        WaitUntil(() => batcher.QueueLength == 1, "the leader to queue");
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.True(StillWaiting(lone), "the leader went before the wait after the last round ended");

        AdvanceUntilCompleted(lone, TimeSpan.FromMilliseconds(1));
        Assert.Equal([8, 1], _rounds.ToArray());
    }

    [Fact]
    public void JoinRound_LastRoundsCallersComeBackWithinTheWait_LeaderTakesThemAllInOneRound()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.FromSeconds(1), _time);
        Burst(batcher, 8);

        // Time never moves: the leader goes because its round is as large as the last one, not because the wait ended.
        Task leader = Start(() => Single(batcher, new SingleRequest([1])));
        WaitUntil(() => batcher.QueueLength == 1, "the leader to queue");
        Task[] others = Enumerable.Range(0, 7).Select(_ => Start(() => Single(batcher, new SingleRequest([1])))).ToArray();

        AssertCompleted([leader, .. others]);
        Assert.Equal([8, 8], _rounds.ToArray());
    }

    [Fact]
    public void JoinRound_CallerComingLaterThanTheWaitAfterABurst_DoesNotWait()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.FromMilliseconds(500), _time);
        Burst(batcher, 8);
        _time.Advance(TimeSpan.FromMilliseconds(600));

        Task lone = Start(() => Single(batcher, new SingleRequest([1])));

        AssertCompleted(lone);
        Assert.Equal([8, 1], _rounds.ToArray());
    }

    [Fact]
    public void JoinRound_BulkTurnQueuedBehindAWaitingLeader_StopsTheWait()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.FromSeconds(1), _time);
        Burst(batcher, 8);

        // Right after a round of 8 the next leader waits for those callers to come back; a bulk turn queued behind it
        // ends the wait, since no text queued after that turn could join the leader's round. Time never moves.
        Task lone = Start(() => Single(batcher, new SingleRequest([1])));
        WaitUntil(() => batcher.QueueLength == 1, "the leader to queue");
        Assert.True(StillWaiting(lone), "the leader did not wait for the callers of the last round");
        bool bulkRan = false;
        Task bulk = Start(() =>
        {
            using (batcher.EnterTurn(TestContext.Current.CancellationToken))
            {
                bulkRan = true;
            }
        });

        AssertCompleted(lone, bulk);
        Assert.True(bulkRan);
        Assert.Equal([8, 1], _rounds.ToArray());
        Assert.Equal(0, batcher.QueueLength);
    }

    [Fact]
    public void JoinRound_WaitZero_LeaderAfterABurstDoesNotWait()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.Zero, _time);
        Burst(batcher, 8);

        Task lone = Start(() => Single(batcher, new SingleRequest([1])));

        AssertCompleted(lone);
        Assert.Equal([8, 1], _rounds.ToArray());
    }

    [Fact]
    public void JoinRound_RunThrows_EveryCallerInTheRoundGetsTheError()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.Zero, _time);

        Task[] singles;
        using (batcher.EnterTurn(TestContext.Current.CancellationToken))
        {
            singles = Enumerable.Range(0, 4).Select(_ => Start(() => Single(batcher, new SingleRequest([1]), fail: true))).ToArray();
            WaitUntil(() => batcher.QueueLength == 4, "4 callers to queue");
        }

        foreach (Task single in singles)
        {
            Assert.True(((IAsyncResult)single).AsyncWaitHandle.WaitOne(DeadlockGuard), "a caller was never released");
            var ex = Assert.IsType<InvalidOperationException>(single.Exception?.InnerException);
            Assert.Equal("model failed", ex.Message);
        }

        // The batcher still works afterwards.
        var request = new SingleRequest([1, 2, 3]);
        AssertCompleted(Start(() => Single(batcher, request)));
        Assert.Equal(3, request.GetResult()[0]);
    }

    [Fact]
    public void EnterTurn_CanceledWhileQueued_LeavesTheQueueAndThrows()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.Zero, _time);
        using var cancellation = new CancellationTokenSource();
        bool ran = false;

        Task bulk;
        using (batcher.EnterTurn(TestContext.Current.CancellationToken))
        {
            bulk = Start(() =>
            {
                using (batcher.EnterTurn(cancellation.Token))
                {
                    ran = true;
                }
            });
            WaitUntil(() => batcher.QueueLength == 1, "the bulk caller to queue");
            cancellation.Cancel();

            // The turn is still held: only a wait that cancellation ends lets the caller go.
            Assert.True(((IAsyncResult)bulk).AsyncWaitHandle.WaitOne(DeadlockGuard), "the canceled caller kept waiting for its turn");
            Assert.Equal(0, batcher.QueueLength);
        }

        Assert.IsType<OperationCanceledException>(bulk.Exception?.InnerException);
        Assert.False(ran);

        // The batcher still works afterwards.
        var request = new SingleRequest([1, 2]);
        AssertCompleted(Start(() => Single(batcher, request)));
        Assert.Equal(2, request.GetResult()[0]);
    }

    [Fact]
    public void EndRound_MemberLeftWithoutResult_FailsItAndReleasesItsCaller()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.Zero, _time);
        var request = new SingleRequest([1]);

        List<SingleRequest>? round = batcher.JoinRound(request);
        Assert.NotNull(round);
        batcher.EndRound(round);

        Assert.True(request.HasFailed);
        Assert.Throws<InvalidOperationException>(() => request.GetResult());
        Assert.Equal(0, batcher.QueueLength);
    }

    // Runs one round of n single-text callers queued behind a bulk turn.
    private void Burst(MicroBatcher batcher, int n)
    {
        Task[] singles;
        using (batcher.EnterTurn(TestContext.Current.CancellationToken))
        {
            singles = Enumerable.Range(0, n).Select(_ => Start(() => Single(batcher, new SingleRequest([1])))).ToArray();
            WaitUntil(() => batcher.QueueLength == n, $"{n} callers to queue");
        }

        AssertCompleted(singles);
    }

    // What the engine does for one text: join a round; lead it when asked (the fake run writes each text's length).
    private float[] Single(MicroBatcher batcher, SingleRequest request, bool fail = false)
    {
        if (batcher.JoinRound(request) is { } round)
        {
            try
            {
                _rounds.Enqueue(round.Count);
                if (fail)
                {
                    throw new InvalidOperationException("model failed");
                }

                foreach (SingleRequest member in round)
                {
                    member.Result = [member.Ids.Length];
                }
            }
            catch (InvalidOperationException ex)
            {
                foreach (SingleRequest member in round)
                {
                    member.Fail(ex);
                }
            }
            finally
            {
                batcher.EndRound(round);
            }
        }

        return request.GetResult();
    }

    // Moves fake time on in steps until the task ends (a timer created just after a step still fires on the next one).
    private void AdvanceUntilCompleted(Task task, TimeSpan step)
    {
        DateTime giveUp = DateTime.UtcNow + DeadlockGuard;
        do
        {
            _time.Advance(step);
            Assert.True(DateTime.UtcNow < giveUp, "the leader never went");
        }
        while (!task.Wait(StillWaitingCheck, TestContext.Current.CancellationToken));
    }

    private static bool StillWaiting(Task task) => !task.Wait(StillWaitingCheck, TestContext.Current.CancellationToken);

    private static Task Start(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static void AssertCompleted(params Task[] tasks) =>
        Assert.True(Task.WaitAll(tasks, DeadlockGuard), "a caller was never released (deadlock)");

    private static void WaitUntil(Func<bool> condition, string what) =>
        Assert.True(SpinWait.SpinUntil(condition, DeadlockGuard), $"timed out waiting for {what}");
}
