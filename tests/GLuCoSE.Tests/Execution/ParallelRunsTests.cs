using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Engine;
using GLuCoSE.Execution;
using GLuCoSE.Model;
using GLuCoSE.Scheduling;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace GLuCoSE.Tests.Execution;

/// <summary>
/// The lanes (<see cref="GlucosePerformanceOptions.ParallelRuns"/>): a second session that shares the first's weights,
/// the ONNX reader that finds them, and results identical to the plain path, for micro-batches and bulk batches.
/// </summary>
public sealed class ParallelRunsTests : IDisposable
{
    private readonly TempModelFolder _cacheFolder = new(copyModel: false);

    private static string TinyGraph => TestPaths.TinyGraph;

    public void Dispose() => _cacheFolder.Dispose();

    [Fact]
    public async Task ConcurrentSingleCalls_OnTheLanes_MatchBulkEncodeWithoutThem()
    {
        // Texts of about one length: a round of eight or more of them (EnginePolicy.MinLaneTexts) runs faster as two half-size runs side by side.
        string[] texts = Sentences.Take(48);
        float[][] expected;
        using (var plain = EngineHarness.Open(TestPaths.TinyModel, Options(cache: false, parallel: false)))
        {
            await plain.Engine.Sessions.OpenLanes().WaitAsync(TestContext.Current.CancellationToken);
            Assert.Null(plain.Engine.Sessions.Lanes);
            expected = plain.Embedder.Encode(texts);
        }

        using var harness = EngineHarness.Open(TestPaths.TinyModel, Options(cache: true));
        await harness.Engine.Sessions.OpenLanes().WaitAsync(TestContext.Current.CancellationToken);
        Assert.NotNull(harness.Engine.Sessions.Lanes);
        Assert.Equal("on", harness.Engine.Sessions.LanesState);

        // The model's turn is held while 16 callers queue, so that they form one micro-batch whatever the machine's
        // speed (with one core, callers that merely race each other rarely queue eight at once).
        var actual = new float[texts.Length][];
        for (int first = 0; first < texts.Length; first += 16)
        {
            int start = first;
            Thread[] workers = [.. Enumerable.Range(start, 16).Select(i => new Thread(() => actual[i] = harness.Embedder.Encode(texts[i])))];
            using (harness.Engine.Batcher.EnterTurn(TestContext.Current.CancellationToken))
            {
                Array.ForEach(workers, w => w.Start());
                bool allQueued = SpinWait.SpinUntil(() => harness.Engine.Batcher.QueueLength == 16, TimeSpan.FromSeconds(30));
                Assert.True(allQueued, $"only {harness.Engine.Batcher.QueueLength} of 16 callers queued while the model was held");
            }

            Array.ForEach(workers, w => w.Join());
        }

        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }

        Assert.Equal(texts.Length / 16, harness.Engine.Batcher.RoundStatistics.Rounds);
        Assert.True(harness.Engine.LaneBatches > 0, "no micro-batch of 16 texts ran on the lanes");
    }

    [Fact]
    public async Task BulkEncode_OnTheLanes_MatchesBulkEncodeWithoutThem()
    {
        // 300 sentences with the CPU defaults: batches of up to 128 texts within 1,024 padded tokens, each cut in two
        // halves that run at once; plus a few long texts, whose batches are too large to split.
        string[] texts = [.. Sentences.Take(300), string.Concat(Sentences.Take(40)), string.Concat(Sentences.Take(30, skip: 50))];
        using var serial = EngineHarness.Open(TestPaths.TinyModel, Options(cache: true, parallel: false));
        using var harness = EngineHarness.Open(TestPaths.TinyModel, Options(cache: true));
        await harness.Engine.Sessions.OpenLanes().WaitAsync(TestContext.Current.CancellationToken);
        Assert.Equal("on", harness.Engine.Sessions.LanesState);

        float[][] expected = serial.Embedder.Encode(texts);
        TokenEmbeddings[] expectedTokens = serial.Embedder.EncodeTokens(texts);
        Assert.Equal(0, serial.Engine.LaneBatches);

        float[][] actual = harness.Embedder.Encode(texts);
        long laneBatches = harness.Engine.LaneBatches;
        TokenEmbeddings[] actualTokens = harness.Embedder.EncodeTokens(texts);

        Assert.True(laneBatches > 0, "no bulk batch ran on the lanes");
        Assert.True(harness.Engine.LaneBatches > laneBatches, "no bulk batch of EncodeTokens ran on the lanes");
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
            Assert.Equal(expectedTokens[i].TokenIds.ToArray(), actualTokens[i].TokenIds.ToArray());
            Assert.Equal(expectedTokens[i].Values.ToArray(), actualTokens[i].Values.ToArray());
        }
    }

    [Fact]
    public async Task Lanes_DisabledOrOnOneThread_AreOffAndSayWhy()
    {
        using (var disabled = EngineHarness.Open(TestPaths.TinyModel, Options(cache: true, parallel: false)))
        {
            await disabled.Engine.Sessions.OpenLanes().WaitAsync(TestContext.Current.CancellationToken);
            Assert.Null(disabled.Engine.Sessions.Lanes);
            Assert.Equal("off: ParallelRuns is false", disabled.Engine.Sessions.LanesState);
        }

        using var single = EngineHarness.Open(TestPaths.TinyModel, Options(cache: true, threads: 1));
        await single.Engine.Sessions.OpenLanes().WaitAsync(TestContext.Current.CancellationToken);
        Assert.Null(single.Engine.Sessions.Lanes);
        Assert.Equal("off: one intra-op thread", single.Engine.Sessions.LanesState);
    }

    [Fact]
    public async Task Lanes_WeightsAtUnalignedOffsets_OpenFromAlignedCopiesWithIdenticalEmbeddings()
    {
        // A doc_string field (field 6, 1 byte) before the graph moves every raw_data by 3 bytes: no float is 4-byte
        // aligned any more, so the weights are copied once into aligned memory both sessions share.
        using var folder = new TempModelFolder();
        byte[] model = File.ReadAllBytes(folder.File("model.onnx"));
        File.WriteAllBytes(folder.File("model.onnx"), [0x32, 0x01, (byte)'x', .. model]);
        string[] texts = [.. Sentences.Take(40)];
        float[][] expected;
        using (GlucoseEmbedder plain = GlucoseEmbedder.Create(TestPaths.TinyModel, Options(cache: false, parallel: false)))
        {
            expected = plain.Encode(texts);
        }

        using var harness = EngineHarness.Open(folder.Path, Options(cache: false));
        await harness.Engine.Sessions.OpenLanes().WaitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("on", harness.Engine.Sessions.LanesState);
        Assert.NotNull(harness.Engine.Sessions.Lanes);
        Assert.Equal(expected, harness.Embedder.Encode(texts));
    }

    [Fact]
    public void Dispose_WhileTheLanesAreStillOpening_WaitsForThemAndReleasesEverything()
    {
        var harness = EngineHarness.Open(TestPaths.TinyModel, Options(cache: true));
        _ = harness.Engine.Sessions.OpenLanes();

        harness.Embedder.Dispose();

        Assert.True(harness.Engine.Sessions.LanesOpened.IsCompleted);
        Assert.Throws<ObjectDisposedException>(() => harness.Embedder.Encode("テスト"));
    }

    [Fact]
    public void Encode_AFewShortTexts_NeverOpensTheLanes()
    {
        // A short-lived program (a few texts, then Dispose) neither waits for the lanes' session nor spends a core on it.
        var harness = EngineHarness.Open(TestPaths.TinyModel, Options(cache: false));
        harness.Embedder.Encode(["今日は晴れです。", "猫が好きです。"]);
        harness.Embedder.Encode("犬も好きです。");

        Assert.StartsWith("not opened yet", harness.Engine.Sessions.LanesState, StringComparison.Ordinal);
        harness.Embedder.Dispose();
        Assert.Null(harness.Engine.Sessions.Lanes);
        Assert.False(harness.Engine.Sessions.LanesOpened.IsCompleted);
    }

    [Fact]
    public async Task Encode_ABatchTheLanesWouldSpeedUp_OpensThemForTheNextBatches()
    {
        string[] texts = Sentences.Take(48);
        using var harness = EngineHarness.Open(TestPaths.TinyModel, Options(cache: false));
        float[][] first = harness.Embedder.Encode(texts);

        await harness.Engine.Sessions.LanesOpened.WaitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("on", harness.Engine.Sessions.LanesState);
        Assert.Equal(0, harness.Engine.LaneBatches);
        Assert.Equal(first, harness.Embedder.Encode(texts));
        Assert.True(harness.Engine.LaneBatches > 0, "the second call ran without the lanes");
    }

    [Fact]
    public void Run_AFailingLane_ThrowsAndTheNextRunWorks()
    {
        using var weights = SharedWeights.Map(TinyGraph, minBytes: 1);
        using var lanes = new ParallelRuns(OnnxEncoder.CreateShared(TinyGraph, optimized: false, 1, weights));
        ModelRun good = Run([0, 5, 2]);
        ModelRun bad = Run([0, int.MaxValue, 2]);

        Assert.ThrowsAny<Exception>(() => lanes.Run([good], [bad]));
        Assert.ThrowsAny<Exception>(() => lanes.Run([bad], [good]));

        ModelRun first = Run([0, 5, 2]);
        ModelRun second = Run([0, 7, 8, 2]);
        lanes.Run([first], [second]);
        Assert.Equal(3, first.SequenceLength);
        Assert.Equal(4, second.SequenceLength);
        Assert.Equal(lanes.Encoder.Run([[0, 7, 8, 2]], out _).ToArray(), second.States(0).ToArray());
    }

    private static ModelRun Run(int[] ids)
    {
        var run = new ModelRun();
        run.Add(ids, key: 0);
        return run;
    }

    private GlucoseEmbedderOptions Options(bool cache, bool parallel = true, int threads = 2) => new()
    {
        IntraOpNumThreads = threads,
        Performance = { OptimizedModelCacheDirectory = cache ? _cacheFolder.Path : null, ParallelRuns = parallel },
    };
}
