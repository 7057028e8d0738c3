using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GLuCoSE.Hub;
using GLuCoSE.Optimization;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Hub;

/// <summary>
/// <see cref="GlucoseModelSource.Precision"/>: the int8 graph is made once beside the downloaded one, recorded in the
/// cache's manifest with the SHA-256 it was made from, reused while that is unchanged, and made again when it is not.
/// </summary>
public sealed class ConvertedGraphTests
{
    private static readonly GlucoseModelSource Int8Source = GlucoseModelSource.Default with { Precision = GlucosePrecision.Int8 };

    [Fact]
    public async Task CreateAsync_Int8_QuantizesIntoTheCacheOnceAndRecordsItsSource()
    {
        using var context = new HubTestContext();

        using GlucoseEmbedder embedder = await context.CreateAsync(Int8Source);

        Assert.Equal(context.CachedFile("model_int8.onnx"), embedder.ModelPath());
        ModelManifest manifest = ModelManifest.Read(context.ModelFolder)!;
        string sourceSha256 = manifest.Files["model.onnx"].Sha256;
        foreach (string file in new[] { "model_int8.onnx", "model_int8.onnx.data" })
        {
            ManifestEntry entry = manifest.Files[file];
            Assert.Equal("model.onnx", entry.MadeFrom);
            Assert.Equal(sourceSha256, entry.MadeFromSha256);
            Assert.Equal(GlucoseModelOptimizer.Sha256File(context.CachedFile(file)), entry.Sha256);
            Assert.Equal(new FileInfo(context.CachedFile(file)).Length, entry.Size);
        }

        using GlucoseEmbedder fp32 = GlucoseEmbedder.Create(TestPaths.TinyModel);
        Assert.True(Similarity.Cosine(fp32.Encode("今日は晴れです。"), embedder.Encode("今日は晴れです。")) > 0.999f);
    }

    [Fact]
    public async Task CreateAsync_Float16_ConvertsIntoTheCacheAndLoadsIt()
    {
        using var context = new HubTestContext();

        using GlucoseEmbedder embedder = await context.CreateAsync(GlucoseModelSource.Default with { Precision = GlucosePrecision.Float16 });

        Assert.Equal(context.CachedFile("model_fp16.onnx"), embedder.ModelPath());
        ModelManifest manifest = ModelManifest.Read(context.ModelFolder)!;
        Assert.Equal(manifest.Files["model.onnx"].Sha256, manifest.Files["model_fp16.onnx"].MadeFromSha256);
        using GlucoseEmbedder fp32 = GlucoseEmbedder.Create(TestPaths.TinyModel);
        Assert.True(Similarity.Cosine(fp32.Encode("今日は晴れです。"), embedder.Encode("今日は晴れです。")) > 0.9999f);
    }

    [Fact]
    public async Task CreateAsync_Int8Again_ReusesTheGraphOfflineWithoutMakingItAgain()
    {
        using var context = new HubTestContext();
        (await context.CreateAsync(Int8Source)).Dispose();
        DateTimeOffset made = ModelManifest.Read(context.ModelFolder)!.Files["model_int8.onnx"].Downloaded;
        DateTime written = File.GetLastWriteTimeUtc(context.CachedFile("model_int8.onnx"));
        context.Hub.Stop();
        context.Variables[HubEnvironment.OfflineVariable] = "1";

        using GlucoseEmbedder embedder = await context.CreateAsync(Int8Source);

        Assert.Equal(context.CachedFile("model_int8.onnx"), embedder.ModelPath());
        Assert.Equal(made, ModelManifest.Read(context.ModelFolder)!.Files["model_int8.onnx"].Downloaded);
        Assert.Equal(written, File.GetLastWriteTimeUtc(context.CachedFile("model_int8.onnx")));
    }

    [Theory]
    [InlineData("model_int8.onnx")]
    [InlineData("model_int8.onnx.data")]
    public async Task CreateAsync_Int8FileDamaged_MakesItAgain(string damaged)
    {
        using var context = new HubTestContext();
        (await context.CreateAsync(Int8Source)).Dispose();
        byte[] good = File.ReadAllBytes(context.CachedFile(damaged));
        byte[] bad = (byte[])good.Clone();
        bad[^1] ^= 0xFF;
        File.WriteAllBytes(context.CachedFile(damaged), bad);

        using GlucoseEmbedder embedder = await context.CreateAsync(Int8Source);

        Assert.Equal(good, File.ReadAllBytes(context.CachedFile(damaged)));
        Assert.Equal(32, embedder.Encode("猫が好きです。").Length);
    }

    [Fact]
    public async Task CreateAsync_Int8MadeFromAnotherGraph_MakesItAgain()
    {
        using var context = new HubTestContext();
        (await context.CreateAsync(Int8Source)).Dispose();
        ModelManifest manifest = ModelManifest.Read(context.ModelFolder)!;
        manifest.Files["model_int8.onnx"].MadeFromSha256 = new string('0', 64);
        manifest.Write(context.ModelFolder);

        (await context.CreateAsync(Int8Source)).Dispose();

        ModelManifest after = ModelManifest.Read(context.ModelFolder)!;
        Assert.Equal(after.Files["model.onnx"].Sha256, after.Files["model_int8.onnx"].MadeFromSha256);
    }

    [Fact]
    public async Task CreateAsync_Int8WithModelFileName_FailsBeforeDownloading()
    {
        using var context = new HubTestContext();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => context.CreateAsync(Int8Source, options: new GlucoseEmbedderOptions { ModelFileName = "model.onnx" }));

        Assert.Contains("set one", error.Message, StringComparison.Ordinal);
        Assert.Empty(context.Hub.Requests);
    }

    [Fact]
    public async Task DownloadAsync_UndefinedPrecision_Throws()
    {
        using var context = new HubTestContext();
        GlucoseModelSource source = GlucoseModelSource.Default with { Precision = (GlucosePrecision)7 };

        await Assert.ThrowsAsync<ArgumentException>(() => source.DownloadCoreAsync(context.Environment, null, TestContext.Current.CancellationToken));

        Assert.Empty(context.Hub.Requests);
    }

    [Fact]
    public async Task CreateAsync_Int8FromALocalFolder_MakesItThereOnceAndAgainWhenTheGraphChanges()
    {
        using var context = new HubTestContext();
        using var folder = new TempModelFolder();
        GlucoseModelSource source = GlucoseModelSource.Parse(folder.Path) with { Precision = GlucosePrecision.Int8 };

        (await context.CreateAsync(source)).Dispose();
        DateTime first = File.GetLastWriteTimeUtc(folder.File("model_int8.onnx"));
        (await context.CreateAsync(source)).Dispose();
        Assert.Equal(first, File.GetLastWriteTimeUtc(folder.File("model_int8.onnx")));

        File.Copy(Path.Combine(TestPaths.TinyModel, "model_opset11.onnx"), folder.File("model.onnx"), overwrite: true);
        using GlucoseEmbedder embedder = await context.CreateAsync(source);

        Assert.Equal(GlucoseModelOptimizer.Sha256File(folder.File("model.onnx")), GlucoseModelOptimizer.ReadSourceSha256(folder.File("model_int8.onnx")));
        Assert.Equal(folder.File("model_int8.onnx"), embedder.ModelPath());
        Assert.Empty(context.Hub.Requests);
        Assert.False(Directory.Exists(context.CacheRoot));
    }

    [Fact]
    public async Task CreateAsync_Int8FromALocalFolderWithAnInt8GraphOfItsOwn_UsesItAsItIs()
    {
        // A model_int8.onnx that GLuCoSE did not make (export_onnx.py --int8 writes one) is the user's: never replaced.
        using var context = new HubTestContext();
        using var folder = new TempModelFolder();
        GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Int8, folder.File("made.onnx"), cancellationToken: TestContext.Current.CancellationToken);
        OnnxModelFile theirs = OnnxModelFile.Load(folder.File("made.onnx"));
        theirs.Model.MetadataProps.Clear();
        OnnxModelWriter.Write(theirs.Model, theirs, folder.File("model_int8.onnx"), _ => { }, TestContext.Current.CancellationToken);
        byte[] before = File.ReadAllBytes(folder.File("model_int8.onnx"));

        using GlucoseEmbedder embedder = await context.CreateAsync(GlucoseModelSource.Parse(folder.Path) with { Precision = GlucosePrecision.Int8 });

        Assert.Equal(before, File.ReadAllBytes(folder.File("model_int8.onnx")));
        Assert.Equal(folder.File("model_int8.onnx"), embedder.ModelPath());
    }
    [Fact]
    public async Task CreateAsync_Int8FromALocalFolderInSeveralLoadsAtOnce_AllLoad()
    {
        // Two apps (or two hosts of one app) starting on the same folder: the conversion must not fail either.
        using var context = new HubTestContext();
        using var folder = new TempModelFolder();
        GlucoseModelSource source = GlucoseModelSource.Parse(folder.Path) with { Precision = GlucosePrecision.Int8 };

        for (int round = 0; round < 5; round++)
        {
            File.Delete(folder.File("model_int8.onnx"));
            GlucoseEmbedder[] embedders = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => context.CreateAsync(source))));
            foreach (GlucoseEmbedder embedder in embedders)
            {
                embedder.Dispose();
            }
        }
    }
    [Fact]
    public async Task CreateAsync_Int8FromALocalFolderWhoseDataFileIsGone_MakesItAgain()
    {
        using var context = new HubTestContext();
        using var folder = new TempModelFolder();
        GlucoseModelSource source = GlucoseModelSource.Parse(folder.Path) with { Precision = GlucosePrecision.Int8 };
        (await context.CreateAsync(source)).Dispose();
        File.Delete(folder.File("model_int8.onnx.data"));

        using GlucoseEmbedder embedder = await context.CreateAsync(source);

        Assert.True(File.Exists(folder.File("model_int8.onnx.data")));
    }
}
