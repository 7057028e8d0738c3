using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Inference;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace GLuCoSE.Tests.Inference;

/// <summary>
/// The lanes (<see cref="GlucoseEmbedderOptions.ParallelRuns"/>): a second session that shares the first's weights,
/// the ONNX reader that finds them, and results identical to the plain path, for micro-batches and bulk batches.
/// </summary>
public sealed class ParallelRunsTests : IDisposable
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "glucose-lanes-test-" + Guid.NewGuid().ToString("N"));

    private static string TinyGraph => Path.Combine(TestPaths.TinyModel, "model.onnx");

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [Fact]
    public void Reader_FindsTheWordEmbeddingsWithTheShapeInConfigJson()
    {
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.TinyModel, "config.json")));
        long vocabulary = config.RootElement.GetProperty("vocab_size").GetInt64();
        long hidden = config.RootElement.GetProperty("hidden_size").GetInt64();

        List<OnnxInitializer> found = OnnxInitializers.Read(TinyGraph, minBytes: 64 * 1024);

        OnnxInitializer words = Assert.Single(found, t => t.Dimensions.SequenceEqual([vocabulary, hidden]));
        Assert.Equal(TensorElementType.Float, words.ElementType);
        Assert.Equal(vocabulary * hidden * sizeof(float), words.Length);
        Assert.Equal(Path.GetFullPath(TinyGraph), words.File);
        Assert.InRange(words.Offset + words.Length, words.Length, new FileInfo(TinyGraph).Length);
        Assert.All(found, t => Assert.True(t.Length >= 64 * 1024));
    }

    [Fact]
    public void Reader_FollowsExternalDataFiles()
    {
        // The optimized-model cache's entry keeps its weights in a data file beside it, written by ONNX Runtime.
        using (GlucoseEmbedder.Create(TestPaths.TinyModel, Options(cache: true)))
        {
        }

        string entry = Assert.Single(Directory.GetFiles(_cache, "*.onnx"));
        string data = Assert.Single(Directory.GetFiles(_cache, "*.data"));

        List<OnnxInitializer> found = OnnxInitializers.Read(entry, minBytes: 1024);

        Assert.NotEmpty(found);
        Assert.All(found, t =>
        {
            Assert.Equal(Path.GetFullPath(data), t.File);
            Assert.InRange(t.Offset + t.Length, t.Length, new FileInfo(data).Length);
        });
    }

    [Fact]
    public void Reader_MalformedFile_ThrowsInvalidDataNamingTheFile()
    {
        using var folder = new TempModelFolder(copyModel: false);
        string truncated = folder.File("truncated.onnx");
        byte[] model = File.ReadAllBytes(TinyGraph);
        File.WriteAllBytes(truncated, model[..(model.Length / 2)]);

        var ex = Assert.Throws<InvalidDataException>(() => OnnxInitializers.Read(truncated, minBytes: 1024));

        Assert.Contains(truncated, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedWeights_GiveTheSameTokenStatesAsAPlainSession_BeforeAndAfterTrim()
    {
        int[][] batch = [[0, 100, 2000, 32771, 2], [0, 5, 2, 1, 1]];
        using OnnxEncoder plain = OnnxEncoder.Create(TinyGraph, GlucoseExecutionProvider.Cpu, 2);
        float[] expected = plain.Run(batch, out _).ToArray();

        using SharedWeights weights = SharedWeights.Map(TinyGraph, minBytes: 1);
        using OnnxEncoder first = OnnxEncoder.CreateShared(TinyGraph, optimized: false, 2, weights);
        using OnnxEncoder second = OnnxEncoder.CreateShared(TinyGraph, optimized: false, 1, weights);

        Assert.True(weights.SharedBytes > 0);
        Assert.Equal(expected, first.Run(batch, out _).ToArray());
        Assert.Equal(expected, second.Run(batch, out _).ToArray());
        weights.Trim();
        Assert.Equal(expected, first.Run(batch, out _).ToArray());
        Assert.Equal(expected, second.Run(batch, out _).ToArray());
    }

    [Fact]
    public async Task ConcurrentSingleCalls_OnTheLanes_MatchBulkEncodeWithoutThem()
    {
        // Texts of about one length: a round of eight or more of them (ParallelRuns.MinTexts) runs faster as two half-size runs side by side.
        string[] texts = Sentences.Take(48);
        float[][] expected;
        using (GlucoseEmbedder plain = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { ParallelRuns = false }))
        {
            await plain.LanesOpened.WaitAsync(TestContext.Current.CancellationToken);
            Assert.Null(plain.LaneEncoder);
            expected = plain.Encode(texts);
        }

        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, Options(cache: true));
        await embedder.LanesOpened.WaitAsync(TestContext.Current.CancellationToken);
        Assert.NotNull(embedder.LaneEncoder);
        Assert.Equal("on", embedder.LanesState);

        // The model is held while 16 callers queue, so that they form one micro-batch whatever the machine's speed
        // (with one core, callers that merely race each other rarely queue eight at once).
        var actual = new float[texts.Length][];
        for (int first = 0; first < texts.Length; first += 16)
        {
            using var held = new ManualResetEventSlim(false);
            bool allQueued = false;
            var holder = new Thread(() => embedder.RunExclusive(() =>
            {
                held.Set();
                allQueued = SpinWait.SpinUntil(() => embedder.QueuedTurns == 16, TimeSpan.FromSeconds(20));
            }));
            holder.Start();
            held.Wait(TestContext.Current.CancellationToken);
            int start = first;
            Thread[] workers = [.. Enumerable.Range(start, 16).Select(i => new Thread(() => actual[i] = embedder.Encode(texts[i])))];
            Array.ForEach(workers, w => w.Start());
            Array.ForEach(workers, w => w.Join());
            holder.Join();
            Assert.True(allQueued, $"only {embedder.QueuedTurns} of 16 callers queued while the model was held");
        }

        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }

        Assert.Equal(texts.Length / 16, embedder.MicroBatchStatistics.Batches);
        Assert.True(embedder.LaneBatches > 0, "no micro-batch of 16 texts ran on the lanes");
    }

    [Fact]
    public async Task BulkEncode_OnTheLanes_MatchesBulkEncodeWithoutThem()
    {
        // 300 sentences with the CPU defaults: batches of up to 128 texts within 1,024 padded tokens, each cut in two
        // halves that run at once; plus a few long texts, whose batches are too large to split.
        string[] texts = [.. Sentences.Take(300), string.Concat(Sentences.Take(40)), string.Concat(Sentences.Take(30, skip: 50))];
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, Options(cache: true));
        await embedder.LanesOpened.WaitAsync(TestContext.Current.CancellationToken);
        Assert.Equal("on", embedder.LanesState);

        embedder.UseLanes = false;
        float[][] expected = embedder.Encode(texts);
        TokenEmbeddings[] expectedTokens = embedder.EncodeTokens(texts);
        Assert.Equal(0, embedder.LaneBatches);

        embedder.UseLanes = true;
        float[][] actual = embedder.Encode(texts);
        long laneBatches = embedder.LaneBatches;
        TokenEmbeddings[] actualTokens = embedder.EncodeTokens(texts);

        Assert.True(laneBatches > 0, "no bulk batch ran on the lanes");
        Assert.True(embedder.LaneBatches > laneBatches);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
            Assert.Equal(expectedTokens[i].TokenIds.ToArray(), actualTokens[i].TokenIds.ToArray());
            Assert.Equal(expectedTokens[i].Values.ToArray(), actualTokens[i].Values.ToArray());
        }
    }

    [Fact]
    public async Task Lanes_AreOff_WhenDisabledOrOnOneThread()
    {
        using (GlucoseEmbedder disabled = GlucoseEmbedder.Create(TestPaths.TinyModel, Options(cache: true, parallel: false)))
        {
            await disabled.LanesOpened.WaitAsync(TestContext.Current.CancellationToken);
            Assert.Null(disabled.LaneEncoder);
            Assert.Equal("off: ParallelRuns is false", disabled.LanesState);
        }

        using GlucoseEmbedder single = GlucoseEmbedder.Create(TestPaths.TinyModel, Options(cache: true, threads: 1));
        await single.LanesOpened.WaitAsync(TestContext.Current.CancellationToken);
        Assert.Null(single.LaneEncoder);
        Assert.Equal("off: one intra-op thread", single.LanesState);
    }

    [Fact]
    public async Task Lanes_WithWeightsAtUnreadableOffsets_AreOffAndSayWhy()
    {
        // A doc_string field (field 6, 1 byte) before the graph moves every raw_data by 3 bytes: no float is 4-byte
        // aligned any more, so no weight can be handed to ONNX Runtime in place.
        using var folder = new TempModelFolder();
        byte[] model = File.ReadAllBytes(folder.File("model.onnx"));
        File.WriteAllBytes(folder.File("model.onnx"), [0x32, 0x01, (byte)'x', .. model]);
        string[] texts = ["今日は良い天気です。", "明日は雨が降るでしょう。"];
        float[][] expected;
        using (GlucoseEmbedder plain = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { ParallelRuns = false }))
        {
            expected = plain.Encode(texts);
        }

        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(folder.Path, new GlucoseEmbedderOptions { IntraOpNumThreads = 2 });
        await embedder.LanesOpened.WaitAsync(TestContext.Current.CancellationToken);

        Assert.Null(embedder.LaneEncoder);
        Assert.StartsWith("off: only 0% of the weights can be shared", embedder.LanesState, StringComparison.Ordinal);
        Assert.Contains("OptimizedModelCacheDirectory", embedder.LanesState, StringComparison.Ordinal);
        Assert.Equal(expected, embedder.Encode(texts));
    }

    [Fact]
    public void Dispose_WhileTheLanesAreStillOpening_WaitsForThemAndReleasesEverything()
    {
        GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, Options(cache: true));

        embedder.Dispose();

        Assert.True(embedder.LanesOpened.IsCompleted);
        Assert.Throws<ObjectDisposedException>(() => embedder.Encode("テスト"));
    }

    [Fact]
    public void ParallelRuns_AFailingLane_ThrowsAndTheNextRunWorks()
    {
        using var weights = SharedWeights.Map(TinyGraph, minBytes: 1);
        using var lanes = new ParallelRuns(OnnxEncoder.CreateShared(TinyGraph, optimized: false, 1, weights));
        var ran = new bool[2];

        var ex = Assert.Throws<InvalidOperationException>(() => lanes.Run((lane, _, _) =>
        {
            ran[lane] = true;
            if (lane == 1)
            {
                throw new InvalidOperationException("lane 1 failed");
            }
        }));

        Assert.Equal("lane 1 failed", ex.Message);
        Assert.Equal([true, true], ran);
        int runs = 0;
        lanes.Run((_, encoder, buffers) =>
        {
            encoder.Run(buffers, [[0, 5, 2]], out _);
            Interlocked.Increment(ref runs);
        });
        Assert.Equal(2, runs);
    }

    private GlucoseEmbedderOptions Options(bool cache, bool parallel = true, int threads = 2) => new()
    {
        OptimizedModelCacheDirectory = cache ? _cache : null,
        ParallelRuns = parallel,
        IntraOpNumThreads = threads,
    };
}
