using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Inference;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Inference;

/// <summary>The micro-batcher's scheduling, with a fake model run.</summary>
[Collection(nameof(TimingSensitiveTests))]
public sealed class MicroBatcherTests
{
    [Fact]
    public async Task RunSingle_CallersQueuedBehindARun_ShareTheNextBatch()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.Zero);
        using var release = new ManualResetEventSlim(false);
        var batches = new ConcurrentQueue<int>();
        Task bulk = HoldTheModel(batcher, release);

        var requests = Enumerable.Range(1, 8).Select(k => new MicroBatcher.SingleRequest(new int[k])).ToArray();
        Task[] singles = requests.Select(r => Task.Factory.StartNew(
            () => batcher.RunSingle(r, batch => FakeRun(batch, batches)),
            TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        WaitUntil(() => batcher.QueueLength == 8, "8 callers to queue");
        release.Set();
        await Task.WhenAll([bulk, .. singles]);

        Assert.Equal([8], batches.ToArray());
        Assert.All(requests, r => Assert.Equal(r.Ids.Length, r.Result![0]));
    }

    [Fact]
    public async Task RunSingle_BatchLimits_CutTheQueue()
    {
        var batcher = new MicroBatcher(maxBatch: 3, wait: TimeSpan.Zero);
        using var release = new ManualResetEventSlim(false);
        var batches = new ConcurrentQueue<int>();
        Task bulk = HoldTheModel(batcher, release);

        Task[] singles = Enumerable.Range(0, 7).Select(_ => Task.Factory.StartNew(
            () => batcher.RunSingle(new MicroBatcher.SingleRequest([1, 2]), batch => FakeRun(batch, batches)),
            TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        WaitUntil(() => batcher.QueueLength == 7, "7 callers to queue");
        release.Set();
        await Task.WhenAll([bulk, .. singles]);

        Assert.Equal([3, 3, 1], batches.ToArray());
    }

    [Fact]
    public void RunSingle_LoneCallerWithLongWait_DoesNotWait()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.FromSeconds(1));
        var batches = new ConcurrentQueue<int>();
        var clock = Stopwatch.StartNew();

        for (int i = 0; i < 5; i++)
        {
            batcher.RunSingle(new MicroBatcher.SingleRequest([1]), batch => FakeRun(batch, batches));
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"5 lone calls took {clock.Elapsed.TotalMilliseconds:F0} ms with a 1 s wait configured");
        Assert.Equal([1, 1, 1, 1, 1], batches.ToArray());
    }

    [Fact]
    public async Task RunSingle_CallerComingLaterThanTheWaitAfterABurst_DoesNotWait()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.FromMilliseconds(500));
        var batches = new ConcurrentQueue<int>();
        await Burst(batcher, 8, batches);
        Thread.Sleep(600);

        var clock = Stopwatch.StartNew();
        batcher.RunSingle(new MicroBatcher.SingleRequest([1]), batch => FakeRun(batch, batches));

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(400), $"a lone call 600 ms after a burst of 8 took {clock.Elapsed.TotalMilliseconds:F0} ms (wait 500 ms)");
        Assert.Equal([8, 1], batches.ToArray());
    }

    [Fact]
    public async Task RunSingle_BulkTurnQueuedBehindAWaitingLeader_StopsTheWait()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.FromSeconds(5));
        var batches = new ConcurrentQueue<int>();
        await Burst(batcher, 8, batches);

        // Right after a round of 8 the next leader waits for those callers to come back; a bulk turn queued behind it
        // ends the wait, since no text queued after that turn could join the leader's batch.
        var clock = Stopwatch.StartNew();
        Task lone = Task.Factory.StartNew(
            () => batcher.RunSingle(new MicroBatcher.SingleRequest([1]), batch => FakeRun(batch, batches)),
            TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        WaitUntil(() => batcher.QueueLength == 1, "the leader to wait");
        Thread.Sleep(50);
        Assert.False(lone.IsCompleted, "the leader waits for the callers of the last round");
        Task bulk = Task.Factory.StartNew(
            () => batcher.RunExclusive(() => { }),
            TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.WhenAll(lone, bulk);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"the leader took {clock.Elapsed.TotalMilliseconds:F0} ms with a bulk turn behind it (wait 5 s)");
        Assert.Equal([8, 1], batches.ToArray());
    }

    [Fact]
    public async Task RunSingle_RunThrows_EveryCallerInTheBatchGetsTheError()
    {
        var batcher = new MicroBatcher(maxBatch: 32, wait: TimeSpan.Zero);
        using var release = new ManualResetEventSlim(false);
        Task bulk = HoldTheModel(batcher, release);

        Task[] singles = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(
            () => batcher.RunSingle(new MicroBatcher.SingleRequest([1]), _ => throw new InvalidOperationException("model failed")),
            TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        WaitUntil(() => batcher.QueueLength == 4, "4 callers to queue");
        release.Set();
        await bulk;

        foreach (Task single in singles)
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => single);
            Assert.Equal("model failed", ex.Message);
        }

        // The batcher still works afterwards.
        var request = new MicroBatcher.SingleRequest([1, 2, 3]);
        batcher.RunSingle(request, batch => FakeRun(batch, new ConcurrentQueue<int>()));
        Assert.Equal(3, request.Result![0]);
    }

    // Runs one round of n single-text callers queued behind a bulk run.
    private static async Task Burst(MicroBatcher batcher, int n, ConcurrentQueue<int> batches)
    {
        using var release = new ManualResetEventSlim(false);
        Task bulk = HoldTheModel(batcher, release);
        Task[] singles = Enumerable.Range(0, n).Select(_ => Task.Factory.StartNew(
            () => batcher.RunSingle(new MicroBatcher.SingleRequest([1]), batch => FakeRun(batch, batches)),
            TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        WaitUntil(() => batcher.QueueLength == n, $"{n} callers to queue");
        release.Set();
        await Task.WhenAll([bulk, .. singles]);
    }

    // Starts a bulk run that holds the model until release is set; returns once the run has begun.
    private static Task HoldTheModel(MicroBatcher batcher, ManualResetEventSlim release)
    {
        using var started = new ManualResetEventSlim(false);
        Task bulk = Task.Factory.StartNew(
            () => batcher.RunExclusive(() =>
            {
                started.Set();
                release.Wait();
            }),
            TestContext.Current.CancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        Assert.True(started.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "the bulk run did not start");
        return bulk;
    }

    private static void FakeRun(List<MicroBatcher.SingleRequest> batch, ConcurrentQueue<int> batches)
    {
        batches.Enqueue(batch.Count);
        foreach (MicroBatcher.SingleRequest request in batch)
        {
            request.Result = [request.Ids.Length];
        }
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting for {what}");
            Thread.Sleep(5);
        }
    }
}
