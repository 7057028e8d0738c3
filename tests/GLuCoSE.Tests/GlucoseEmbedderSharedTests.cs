using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>One embedder shared by many threads, as a web app shares it: every result as if alone, no exception.</summary>
[Collection(nameof(TimingSensitiveTests))]
public sealed class GlucoseEmbedderSharedTests
{
    private static readonly string[] Texts = TokenReference.Load(TestPaths.TestData("tokens.uni32k.json")).Select(r => r.Text).ToArray();

    [Fact]
    public async Task Embedder_32Threads50MixedCallsEach_EveryResultEqualsTheSingleThreadedOne()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 8 });
        float[][] expected = embedder.Encode(Texts);
        IEmbeddingGenerator<string, Embedding<float>> generator = embedder;
        int checkedResults = 0;
        float worst = 0;
        var gate = new object();

        void Check(int textIndex, ReadOnlySpan<float> actual)
        {
            float difference = 0;
            for (int k = 0; k < actual.Length; k++)
            {
                difference = Math.Max(difference, Math.Abs(actual[k] - expected[textIndex][k]));
            }

            lock (gate)
            {
                worst = Math.Max(worst, difference);
                checkedResults++;
            }
        }

        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 40), io);
        try
        {
            Task[] callers = Enumerable.Range(0, 32).Select(thread => Task.Run(async () =>
            {
                var random = new Random(thread);
                for (int call = 0; call < 50; call++)
                {
                    int[] picks = Enumerable.Range(0, 1 + random.Next(6)).Select(_ => random.Next(Texts.Length)).ToArray();
                    string[] texts = picks.Select(i => Texts[i]).ToArray();
                    switch ((thread + call) % 4)
                    {
                        case 0:
                            Check(picks[0], embedder.Encode(texts[0]));
                            break;
                        case 1:
                            float[][] batch = embedder.Encode(texts);
                            for (int i = 0; i < picks.Length; i++)
                            {
                                Check(picks[i], batch[i]);
                            }

                            break;
                        case 2:
                            float[][] viaAsync = await embedder.EncodeAsync(texts, cancellationToken: TestContext.Current.CancellationToken);
                            for (int i = 0; i < picks.Length; i++)
                            {
                                Check(picks[i], viaAsync[i]);
                            }

                            break;
                        default:
                            GeneratedEmbeddings<Embedding<float>> generated = await generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);
                            for (int i = 0; i < picks.Length; i++)
                            {
                                Check(picks[i], generated[i].Vector.Span);
                            }

                            break;
                    }
                }
            }, TestContext.Current.CancellationToken)).ToArray();

            await Task.WhenAll(callers);
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, io);
        }

        Assert.True(checkedResults >= 32 * 50, $"only {checkedResults} results were checked");

        // Padding a text with others changes only how many exact zeros its reductions add; nothing else may move.
        Assert.True(worst <= 1e-5f, $"a result moved by {worst:E2} from the single-threaded one");
    }

    [Fact]
    public async Task EncodeAsync_CanceledDuringTheCall_StopsWithinOneBatchAndTheEmbedderKeepsWorking()
    {
        // No token budget: every batch holds 4 texts, however long.
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 4, Performance = { MaxBatchTokens = int.MaxValue } });
        using var cancellation = new CancellationTokenSource();
        var seen = new List<int>();
        var progress = new SynchronousProgress(p =>
        {
            seen.Add(p.Completed);
            if (p.Completed > 0)
            {
                cancellation.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedder.EncodeAsync(Texts, progress: progress, cancellationToken: cancellation.Token));

        Assert.Equal([0, 4], seen);
        GlucoseEmbedderParityTests.AssertClose(embedder.Encode([Texts[5]])[0], embedder.Encode(Texts[5]), "after cancellation");
    }

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<EncodeProgress> report) : IProgress<EncodeProgress>
    {
        public void Report(EncodeProgress value) => report(value);
    }
}
