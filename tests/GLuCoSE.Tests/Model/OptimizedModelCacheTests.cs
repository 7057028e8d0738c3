using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GLuCoSE.Engine;
using GLuCoSE.Execution;
using GLuCoSE.Model;
using GLuCoSE.Scheduling;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Model;

public sealed class OptimizedModelCacheTests : IDisposable
{
    private static readonly string[] Texts = ["今日は良い天気です。", "明日は雨が降るでしょう。", "", "The quick brown fox"];

    private readonly string _cache = Path.Combine(Path.GetTempPath(), "glucose-cache-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [Fact]
    public void Create_FirstAndLaterCreates_WriteTheEntryThenReadItWithIdenticalEmbeddings()
    {
        float[][] expected = Encode(new GlucoseEmbedderOptions(), out bool plainFromCache);
        Assert.False(plainFromCache);

        float[][] writing = Encode(Cached(), out bool firstFromCache);
        Assert.False(firstFromCache);
        string entry = Assert.Single(Directory.GetFiles(_cache, "*.onnx"));
        Assert.Empty(Directory.GetFiles(_cache, "*.tmp"));
        Assert.Single(Directory.GetFiles(_cache, "*.data"));
        DateTime written = File.GetLastWriteTimeUtc(entry);

        float[][] reading = Encode(Cached(), out bool secondFromCache);
        Assert.True(secondFromCache);
        Assert.Equal(written, File.GetLastWriteTimeUtc(entry));

        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(expected[i], writing[i]);
            Assert.Equal(expected[i], reading[i]);
        }
    }

    [Fact]
    public void Create_DamagedEntry_IsWrittenAgain()
    {
        float[][] expected = Encode(Cached(), out _);
        string entry = Assert.Single(Directory.GetFiles(_cache, "*.onnx"));
        File.WriteAllBytes(entry, [1, 2, 3, 4, 5]);

        float[][] actual = Encode(Cached(), out bool fromCache);

        Assert.False(fromCache);
        Assert.True(new FileInfo(entry).Length > 5);
        Assert.Single(Directory.GetFiles(_cache, "*.data"));
        Assert.Equal(expected, actual);
        Encode(Cached(), out bool afterRepair);
        Assert.True(afterRepair);
    }

    [Fact]
    public void Create_ChangedModelFile_GetsANewEntry()
    {
        using var folder = new TempModelFolder();
        string model = folder.File("model.onnx");
        string first = OptimizedModelCache.EntryPath(_cache, model);
        Assert.Equal(first, OptimizedModelCache.EntryPath(_cache, model));

        File.SetLastWriteTimeUtc(model, File.GetLastWriteTimeUtc(model).AddMinutes(1));

        Assert.NotEqual(first, OptimizedModelCache.EntryPath(_cache, model));
    }

    [Fact]
    public void Create_UnwritableCacheFolder_CostsOnlyTheSpeedUp()
    {
        // A "folder" below a file can never be made.
        Directory.CreateDirectory(_cache);
        string file = Path.Combine(_cache, "a-file");
        File.WriteAllText(file, "not a folder");
        float[][] expected = Encode(new GlucoseEmbedderOptions(), out _);

        float[][] actual = Encode(new GlucoseEmbedderOptions { Performance = { OptimizedModelCacheDirectory = Path.Combine(file, "cache") } }, out bool fromCache);

        Assert.False(fromCache);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void EnsureEntry_UnwritableFolder_ReturnsNoEntryWithoutLoadingTheModel()
    {
        Directory.CreateDirectory(_cache);
        string file = Path.Combine(_cache, "a-file");
        File.WriteAllText(file, "not a folder");
        int sessions = 0;

        (string? entry, bool existed) = OptimizedModelCache.EnsureEntry(Path.Combine(file, "cache"), Path.Combine(TestPaths.TinyModel, "model.onnx"), () =>
        {
            sessions++;
            return OnnxEncoder.CreateSessionOptions(GlucoseExecutionProvider.Cpu, 1);
        });

        Assert.Null(entry);
        Assert.False(existed);
        Assert.Equal(0, sessions);
        Assert.Equal(["a-file"], Directory.GetFileSystemEntries(_cache).Select(Path.GetFileName));
    }

    [Fact]
    public void Create_ConcurrentFirstCreates_LeaveOneEntryAndNoTemporaryFiles()
    {
        float[][][] results = new float[4][][];
        Parallel.For(0, results.Length, i => results[i] = Encode(Cached(), out _));

        Assert.Single(Directory.GetFiles(_cache, "*.onnx"));
        Assert.Single(Directory.GetFiles(_cache, "*.data"));
        Assert.Empty(Directory.GetFiles(_cache, "*.tmp"));
        Assert.All(results, r => Assert.Equal(results[0], r));
        Encode(Cached(), out bool fromCache);
        Assert.True(fromCache);
    }

    [Fact]
    public void Create_FilesOfAWriterThatDied_AreDeletedAfterADay()
    {
        // A finished entry whose weights file is old must survive the clean-up.
        Encode(Cached(), out _);
        string entryData = Assert.Single(Directory.GetFiles(_cache, "*.data"));
        File.SetLastWriteTimeUtc(entryData, DateTime.UtcNow.AddDays(-2));
        string stale = Path.Combine(_cache, "model-0123456789abcdef.onnx.42-dead.tmp");
        string fresh = Path.Combine(_cache, "model-0123456789abcdef.onnx.43-busy.tmp");
        string staleData = Path.ChangeExtension(stale, ".data");
        string freshData = Path.ChangeExtension(fresh, ".data");
        foreach (string file in new[] { stale, staleData, fresh, freshData })
        {
            File.WriteAllText(file, "partial");
        }

        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));
        File.SetLastWriteTimeUtc(staleData, DateTime.UtcNow.AddDays(-2));

        // A write of a new entry (another model file name) runs the clean-up.
        using var folder = new TempModelFolder();
        File.Copy(folder.File("model.onnx"), folder.File("other.onnx"));
        using (GlucoseEmbedder.Create(folder.Path, new GlucoseEmbedderOptions { ModelFileName = "other.onnx", Performance = { OptimizedModelCacheDirectory = _cache } }))
        {
        }

        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleData));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(freshData));
        Assert.True(File.Exists(entryData));
        Encode(Cached(), out bool fromCache);
        Assert.True(fromCache);
    }

    [Fact]
    public void Create_BadModelWithCache_FailsWithTheModelErrorAndWritesNothing()
    {
        using var folder = new TempModelFolder();
        File.WriteAllBytes(folder.File("model.onnx"), new byte[1000]);

        var ex = Assert.Throws<InvalidDataException>(() => GlucoseEmbedder.Create(folder.Path, Cached()));

        Assert.Contains("not a valid ONNX model", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_cache) && Directory.EnumerateFileSystemEntries(_cache).Any());
    }

    private GlucoseEmbedderOptions Cached() => new() { Performance = { OptimizedModelCacheDirectory = _cache } };

    private static float[][] Encode(GlucoseEmbedderOptions options, out bool fromCache)
    {
        using var harness = EngineHarness.Open(TestPaths.TinyModel, options);
        fromCache = harness.Engine.Sessions.Main.FromOptimizedModelCache;
        return harness.Embedder.Encode(Texts);
    }

    [Fact]
    public void Create_CacheEntryWithAnEmptyWeightsFile_LoadsAndEncodesAsBefore()
    {
        // A disk that filled up while the entry was written: the entry is damaged, not the embedder.
        var options = new GlucoseEmbedderOptions { IntraOpNumThreads = 2, Performance = { OptimizedModelCacheDirectory = _cache } };
        float[] expected;
        using (GlucoseEmbedder first = GlucoseEmbedder.Create(TestPaths.TinyModel, options))
        {
            expected = first.Encode("テスト");
        }

        File.WriteAllBytes(Assert.Single(Directory.GetFiles(_cache, "*.data")), []);

        using (GlucoseEmbedder second = GlucoseEmbedder.Create(TestPaths.TinyModel, options))
        {
            Assert.Equal(expected, second.Encode("テスト"));
        }

        using GlucoseEmbedder third = GlucoseEmbedder.Create(TestPaths.TinyModel, options);
        Assert.Equal(expected, third.Encode("テスト"));
    }
}
