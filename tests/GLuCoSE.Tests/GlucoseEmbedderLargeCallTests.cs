using System;
using System.Linq;
using System.Threading;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>One call with a corpus in it: memory follows the batch, not the corpus.</summary>
/// <remarks>Run alone: it reads the process's managed heap, which parallel tests would fill.</remarks>
[Collection(nameof(TimingSensitiveTests))]
public sealed class GlucoseEmbedderLargeCallTests
{
    [Fact]
    public void Encode_HundredThousandSentences_CorrectWithMemoryBoundedByTheWindow()
    {
        string[] pool = TokenReference.Load(TestPaths.TestData("tokens.uni32k.json")).Where(r => r.Category == "own").Select(r => r.Text).ToArray();
        string[] texts = Enumerable.Range(0, 100_000).Select(i => pool[i % pool.Length]).ToArray();
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 64 });
        float[][] expected = embedder.Encode(pool);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        using var done = new ManualResetEventSlim(false);
        var sampler = new Thread(() =>
        {
            while (!done.Wait(20))
            {
                Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), GC.GetTotalMemory(forceFullCollection: true)));
            }
        });
        sampler.Start();

        float[][] results = embedder.Encode(texts);
        done.Set();
        sampler.Join();

        for (int i = 0; i < texts.Length; i += 997)
        {
            GlucoseEmbedderParityTests.AssertClose(expected[i % pool.Length], results[i], $"text {i}");
        }

        // The results themselves: 100,000 arrays of 32 floats and the array holding them. Beyond them, only a window
        // of 4,096 texts' ids and a batch (all 100,000 texts' ids would be over 6 MB).
        long resultsBytes = (100_000L * ((32 * sizeof(float)) + 24)) + (100_000L * 8);
        long beyond = Math.Max(0, peak - before - resultsBytes);
        Assert.True(beyond < 4L << 20, $"encoding 100,000 texts held {beyond >> 20} MB beyond the results");
    }
}
