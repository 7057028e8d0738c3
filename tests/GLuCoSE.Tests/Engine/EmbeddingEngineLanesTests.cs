using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Engine;

/// <summary>The engine on its lanes under concurrent single and bulk callers: results bit-identical to serial ones without lanes.</summary>
public sealed class EmbeddingEngineLanesTests
{
    private static readonly string[] Texts = Enumerable.Range(0, 40).Select(i => string.Concat(Enumerable.Repeat("今日は良い天気です。", 1 + (i % 7))) + i).ToArray();

    [Theory]
    [InlineData("model.onnx")]
    [InlineData("model_opset11.onnx")]
    public async Task Embed_ConcurrentSinglesAndBulkOnLanes_MatchSerialResultsWithoutLanes(string file)
    {
        float[][] expected;
        using (var plain = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { ModelFileName = file, Performance = { ParallelRuns = false } }))
        {
            expected = Texts.Select(t => plain.Encode(t)).ToArray();
        }

        using var harness = EngineHarness.Open(TestPaths.TinyModel, new GlucoseEmbedderOptions { ModelFileName = file, IntraOpNumThreads = 4, BatchSize = 16, Performance = { MaxBatchTokens = 2048 } });
        await harness.Engine.Sessions.OpenLanes();
        Assert.Equal("on", harness.Engine.Sessions.LanesState);
        var errors = new List<string>();
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, k =>
        {
            for (int rep = 0; rep < 20; rep++)
            {
                if (k % 4 == 0)
                {
                    float[][] all = harness.Embedder.Encode(Texts);
                    for (int i = 0; i < Texts.Length; i++)
                    {
                        if (!all[i].SequenceEqual(expected[i]))
                        {
                            lock (errors)
                            {
                                errors.Add($"bulk {i}");
                            }
                        }
                    }
                }
                else
                {
                    int i = (k * 7 + rep) % Texts.Length;
                    if (!harness.Embedder.Encode(Texts[i]).SequenceEqual(expected[i]))
                    {
                        lock (errors)
                        {
                            errors.Add($"single {i}");
                        }
                    }
                }
            }
        });
        Assert.True(harness.Engine.LaneBatches > 0, "no lane batches");
        Assert.Empty(errors);
    }
}
