using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>The micro-batcher: concurrent single-text callers share runs and get the same vectors as batched calls.</summary>
/// <remarks>Run alone: whether threads overlap depends on them getting cores, which parallel tests take away.</remarks>
[Collection(nameof(TimingSensitiveTests))]
public sealed class GlucoseEmbedderConcurrencyTests
{
    private static readonly string[] Texts = TokenReference.Load(TestPaths.TestData("tokens.uni32k.json")).Select(r => r.Text).ToArray();

    [Fact]
    public void Encode_ConcurrentSingleCallers_MatchBatchedEncode()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        float[][] expected = embedder.Encode(Texts);
        var actual = new float[Texts.Length][];
        int next = -1;

        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Texts.Length)
            {
                actual[i] = embedder.Encode(Texts[i]);
            }
        });

        for (int i = 0; i < Texts.Length; i++)
        {
            GlucoseEmbedderParityTests.AssertClose(expected[i], actual[i], $"text {i}");
        }
    }

    [Fact]
    public void Encode_ConcurrentCallersInALoop_MatchBatchedEncode()
    {
        const int callers = 8;
        const int callsEach = 10;
        var options = new GlucoseEmbedderOptions { BatchSize = callers, Performance = { MicroBatchWait = TimeSpan.FromMilliseconds(200) } };
        using var harness = EngineHarness.Open(TestPaths.TinyModel, options);
        GlucoseEmbedder embedder = harness.Embedder;
        float[][] expected = embedder.Encode(Texts.Take(callers * callsEach).ToArray());
        var results = new float[callers * callsEach][];
        using var start = new Barrier(callers);

        Thread[] threads = Enumerable.Range(0, callers).Select(k => new Thread(() =>
        {
            start.SignalAndWait();
            for (int c = 0; c < callsEach; c++)
            {
                results[(k * callsEach) + c] = embedder.Encode(Texts[(k * callsEach) + c]);
            }
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        // How many runs the calls shared depends on the threads overlapping (MicroBatcherTests pins that down).
        Assert.Equal(callers * callsEach, harness.Engine.Batcher.RoundStatistics.Texts);
        for (int i = 0; i < results.Length; i++)
        {
            GlucoseEmbedderParityTests.AssertClose(expected[i], results[i], $"call {i}");
        }
    }

    [Fact]
    public void Encode_LoneCaller_RunsAloneEachTime()
    {
        using var harness = EngineHarness.Open(TestPaths.TinyModel);

        for (int i = 0; i < 5; i++)
        {
            harness.Embedder.Encode(Texts[i]);
        }

        Assert.Equal((5L, 5L), harness.Engine.Batcher.RoundStatistics);
    }

    [Fact]
    public void Encode_BulkAndSingleCallersTogether_AllCorrect()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 4 });
        float[][] expected = embedder.Encode(Texts);

        Parallel.For(0, 8, k =>
        {
            if (k % 2 == 0)
            {
                float[][] bulk = embedder.Encode(Texts);
                for (int i = 0; i < Texts.Length; i += 13)
                {
                    GlucoseEmbedderParityTests.AssertClose(expected[i], bulk[i], $"bulk {k} text {i}");
                }
            }
            else
            {
                for (int i = k; i < Texts.Length; i += 7)
                {
                    GlucoseEmbedderParityTests.AssertClose(expected[i], embedder.Encode(Texts[i]), $"single {k} text {i}");
                }
            }
        });
    }
}
