using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary><see cref="GlucoseEmbedder.EncodeAsync(IReadOnlyList{string}, string?, IProgress{EncodeProgress}?, CancellationToken)"/> and the streaming forms.</summary>
public sealed class GlucoseEmbedderAsyncTests
{
    [Fact]
    public async Task EncodeAsync_MixedLengths_EqualEncodeInInputOrder()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 3 });
        IReadOnlyList<string> texts = Sentences.MixedLengths();

        float[][] actual = await embedder.EncodeAsync(texts, cancellationToken: TestContext.Current.CancellationToken);

        float[][] expected = embedder.Encode(texts);
        for (int i = 0; i < texts.Count; i++)
        {
            Vectors.AssertClose(expected[i], actual[i], what: $"embedding {i}");
        }
    }

    [Fact]
    public async Task EncodeAsync_Progress_ReportsStartAndEveryBatch()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 3 });
        var progress = new SynchronousProgress();

        await embedder.EncodeAsync(Sentences.Take(10), progress: progress, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([0, 3, 6, 9, 10], progress.Reports.Select(p => p.Completed));
        Assert.All(progress.Reports, p => Assert.Equal(10, p.Total));
        Assert.Equal(progress.Reports[^1].Total, progress.Reports[^1].Completed);
    }

    [Fact]
    public async Task EncodeAsync_CancelledAfterFirstBatch_StopsBeforeTheNext()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 4 });
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Completed > 0)
            {
                cancellation.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedder.EncodeAsync(Sentences.Take(20), progress: progress, cancellationToken: cancellation.Token));

        Assert.Equal([0, 4], progress.Reports.Select(p => p.Completed));
    }

    [Fact]
    public async Task EncodeAsync_CancelledWhileWaitingForTheModel_ThrowsWithoutRunning()
    {
        using var harness = EngineHarness.Open(TestPaths.TinyModel, new GlucoseEmbedderOptions { Performance = { ParallelRuns = false } });
        using var cancellation = new CancellationTokenSource();
        long runs = harness.Engine.Sessions.Main.RunCount;

        Task<float[][]> call;
        using (harness.Engine.Batcher.EnterTurn(TestContext.Current.CancellationToken))
        {
            // Another caller holds the model; this call's first batch waits for its turn, and is cancelled there.
            call = harness.Embedder.EncodeAsync(Sentences.Take(8), cancellationToken: cancellation.Token);
            Assert.True(SpinWait.SpinUntil(() => harness.Engine.Batcher.QueueLength == 1, TimeSpan.FromSeconds(30)), "the call never queued");
            cancellation.Cancel();
            Assert.True(((IAsyncResult)call).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "the cancelled call kept waiting for the model");
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(runs, harness.Engine.Sessions.Main.RunCount);
    }

    [Fact]
    public async Task EncodeAsync_NullElement_NamesItsIndex()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 2 });

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => embedder.EncodeAsync(["a", "b", "c", null!], cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("texts[3]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EncodeAsync_Empty_ReturnsEmptyAndReportsDone()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        var progress = new SynchronousProgress();

        float[][] result = await embedder.EncodeAsync([], progress: progress, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(result);
        Assert.Equal(new EncodeProgress(0, 0), Assert.Single(progress.Reports));
    }

    [Fact]
    public async Task EncodeStreamAsync_Enumerable_YieldsEveryIndexInOrderEqualToEncode()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 4 });
        string[] texts = Sentences.Take(11);
        var results = new List<IndexedEmbedding>();

        await foreach (IndexedEmbedding item in embedder.EncodeStreamAsync(texts, cancellationToken: TestContext.Current.CancellationToken))
        {
            results.Add(item);
        }

        float[][] expected = embedder.Encode(texts);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => (long)i), results.Select(r => r.Index));
        for (int i = 0; i < texts.Length; i++)
        {
            Vectors.AssertClose(expected[i], results[i].Embedding, what: $"embedding {i}");
        }
    }

    [Fact]
    public async Task EncodeStreamAsync_LargeSource_ReadsAtMostOneBatchAhead()
    {
        const int batchSize = 8;
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = batchSize });
        var source = new CountingSource(Sentences.Take(200));
        long received = 0;
        int mostAhead = 0;

        await foreach (IndexedEmbedding item in embedder.EncodeStreamAsync(source, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal(received, item.Index);
            received++;
            mostAhead = Math.Max(mostAhead, source.Read - (int)received);
        }

        // Held at once: the batch being yielded, never the corpus.
        Assert.Equal(200, received);
        Assert.InRange(mostAhead, 1, batchSize);
    }

    [Fact]
    public async Task EncodeStreamAsync_AsyncSourceWithPrompt_EqualsPromptedEncode()
    {
        var options = GlucosePrompts.UseVersion2Prompts(new GlucoseEmbedderOptions { BatchSize = 3 });
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, options);
        string[] texts = Sentences.Take(7);
        var results = new List<IndexedEmbedding>();

        await foreach (IndexedEmbedding item in embedder.EncodeStreamAsync(AsAsync(texts, TestContext.Current.CancellationToken), GlucosePrompts.Passage, TestContext.Current.CancellationToken))
        {
            results.Add(item);
        }

        float[][] expected = embedder.Encode(texts.Select(t => "passage: " + t).ToArray());
        Assert.Equal(7, results.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            Vectors.AssertClose(expected[i], results[i].Embedding);
        }
    }

    [Fact]
    public async Task EncodeStreamAsync_Cancelled_StopsBetweenBatches()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 5 });
        using var cancellation = new CancellationTokenSource();
        int received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (IndexedEmbedding item in embedder.EncodeStreamAsync(Sentences.Take(50), cancellationToken: cancellation.Token))
            {
                received++;
                await cancellation.CancelAsync();
            }
        });

        // The first batch was already done when the token was cancelled; no other batch started.
        Assert.Equal(5, received);

        // The embedder keeps working after a cancelled stream.
        Assert.Equal(embedder.Dimensions, embedder.Encode("猫が好きです。").Length);
    }

    [Fact]
    public async Task EncodeStreamAsync_NullElement_NamesItsPosition()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 2 });

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (IndexedEmbedding item in embedder.EncodeStreamAsync(["a", "b", "c", null!], cancellationToken: TestContext.Current.CancellationToken))
            {
                Assert.InRange(item.Index, 0, 1);
            }
        });

        Assert.Contains("texts[3]", ex.Message, StringComparison.Ordinal);
    }

    private static async IAsyncEnumerable<string> AsAsync(IEnumerable<string> texts, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string text in texts)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return text;
        }
    }

    /// <summary>Reports on the calling thread (unlike <see cref="Progress{T}"/>), so the order is the order of reports.</summary>
    private sealed class SynchronousProgress(Action<EncodeProgress>? onReport = null) : IProgress<EncodeProgress>
    {
        public List<EncodeProgress> Reports { get; } = [];

        public void Report(EncodeProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    /// <summary>A lazy source that counts how many texts have been taken from it.</summary>
    private sealed class CountingSource(IEnumerable<string> texts) : IEnumerable<string>
    {
        public int Read { get; private set; }

        public IEnumerator<string> GetEnumerator()
        {
            foreach (string text in texts)
            {
                Read++;
                yield return text;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Fact]
    public async Task EncodeStreamAsync_UnpairedSurrogate_NamesItsPlaceInTheStream()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 4 });
        IEnumerable<string> texts = Enumerable.Range(0, 10).Select(i => i == 6 ? "bad\uD800" : "テキスト" + i);

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (IndexedEmbedding _ in embedder.EncodeStreamAsync(texts, cancellationToken: TestContext.Current.CancellationToken))
            {
            }
        });

        Assert.StartsWith("texts[6] holds an unpaired surrogate", ex.Message, StringComparison.Ordinal);
    }
}
