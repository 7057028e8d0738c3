using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Hub;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Hub;

/// <summary>Downloads from a fake hub on loopback: first use, the cache, resumes, repairs and concurrent downloads.</summary>
public sealed class ModelCacheTests
{
    private static readonly string[] Sentences = ["今日は晴れです。", "猫が好きです。", "PKSHA Technologyは機械学習/深層学習技術に関わるアルゴリズムソリューションを展開している。"];

    private static readonly string[] AllFiles = [.. GlucoseModelSource.DefaultFiles, "model.onnx"];

    [Fact]
    public async Task CreateAsync_FirstUse_DownloadsEveryFileAndEncodesLikeTheLocalFolder()
    {
        using var context = new HubTestContext();
        var progress = new RecordingProgress();

        using GlucoseEmbedder embedder = await context.CreateAsync(progress: progress);

        AssertEncodesLikeTinyModel(embedder);
        Assert.Equal(context.CachedFile("model.onnx"), embedder.ModelPath());
        foreach (string file in AllFiles)
        {
            Assert.Equal(context.Hub.Content(file), File.ReadAllBytes(context.CachedFile(file)));
            Assert.Single(context.Hub.RequestsFor(file));
            DownloadProgress last = progress.Reports.Last(p => p.FileName == file);
            Assert.True(last.IsComplete, $"the last report of {file} is {last}");
            Assert.Equal(context.Hub.Content(file).Length, last.BytesDone);
        }

        Assert.Empty(Directory.GetFiles(context.ModelFolder, "*.partial*", SearchOption.AllDirectories));
        AssertManifestMatches(context);
    }

    [Fact]
    public async Task CreateAsync_SecondUseWithServerStopped_LoadsFromCacheWithoutRequests()
    {
        using var context = new HubTestContext();
        (await context.CreateAsync()).Dispose();
        int requests = context.Hub.Requests.Count;
        context.Hub.Stop();

        using GlucoseEmbedder online = await context.CreateAsync();
        context.Variables[HubEnvironment.OfflineVariable] = "1";
        using GlucoseEmbedder offline = await context.CreateAsync();

        AssertEncodesLikeTinyModel(online);
        AssertEncodesLikeTinyModel(offline);
        Assert.Equal(requests, context.Hub.Requests.Count);
    }

    [Fact]
    public async Task CreateAsync_HubToken_SentToTheHubOnlyNotToTheOnnxHost()
    {
        using var context = new HubTestContext();
        context.Variables[HubEnvironment.TokenVariable] = "hf_test_secret_0123";

        (await context.CreateAsync()).Dispose();

        Assert.All(GlucoseModelSource.DefaultFiles, file => Assert.Equal("Bearer hf_test_secret_0123", context.Hub.RequestsFor(file).Single().Authorization));
        Assert.Null(context.Hub.RequestsFor("model.onnx").Single().Authorization);
        Assert.Null(context.Hub.Requests.Single(r => r.Path == "/cdn/sentencepiece.bpe.model").Authorization);
        Assert.DoesNotContain("hf_test_secret_0123", File.ReadAllText(Path.Combine(context.ModelFolder, ModelManifest.FileName)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HUGGING_FACE_HUB_TOKEN")]
    [InlineData("HF_TOKEN_PATH")]
    [InlineData("HF_HOME")]
    [InlineData("HOME")]
    [InlineData("HF_TOKEN_PATH=~/")]
    [InlineData("HF_HOME=~/")]
    public async Task CreateAsync_TokenFromOldVariableOrTokenFile_SentToTheHub(string where)
    {
        using var context = new HubTestContext();
        string file = Path.Combine(context.CacheRoot, "elsewhere", "token");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "hf_from_file_0123\n");
        switch (where)
        {
            case "HUGGING_FACE_HUB_TOKEN": context.Variables[where] = "hf_from_file_0123"; break;
            case "HF_TOKEN_PATH": context.Variables[where] = file; break;
            case "HF_HOME": context.Variables[where] = Path.GetDirectoryName(file)!; break;

            // A leading ~ is the home folder, as Python's expanduser reads it.
            case "HF_TOKEN_PATH=~/":
                context.Variables["HOME"] = context.CacheRoot;
                context.Variables[HubEnvironment.TokenPathVariable] = "~/elsewhere/token";
                break;
            case "HF_HOME=~/":
                context.Variables["HOME"] = context.CacheRoot;
                context.Variables[HubEnvironment.HomeVariable] = "~/elsewhere";
                break;
            default:
                // HF_HOME's default: ~/.cache/huggingface (hf auth login writes its token there).
                context.Variables.Remove(HubEnvironment.HomeVariable);
                context.Variables["HOME"] = Path.Combine(context.CacheRoot, "home");
                Directory.CreateDirectory(Path.Combine(context.CacheRoot, "home", ".cache", "huggingface"));
                File.Copy(file, Path.Combine(context.CacheRoot, "home", ".cache", "huggingface", "token"));
                break;
        }

        (await context.CreateAsync()).Dispose();

        Assert.All(GlucoseModelSource.DefaultFiles, f => Assert.Equal("Bearer hf_from_file_0123", context.Hub.RequestsFor(f).Single().Authorization));
    }

    [Fact]
    public async Task CreateAsync_HfTokenAndTokenFile_HfTokenWins()
    {
        using var context = new HubTestContext();
        string file = Path.Combine(context.CacheRoot, "token");
        Directory.CreateDirectory(context.CacheRoot);
        File.WriteAllText(file, "hf_from_file_0123");
        context.Variables[HubEnvironment.TokenPathVariable] = file;
        context.Variables[HubEnvironment.OldTokenVariable] = "hf_old_name_0123";
        context.Variables[HubEnvironment.TokenVariable] = "hf_new_name_0123";

        (await context.CreateAsync()).Dispose();

        Assert.Equal("Bearer hf_new_name_0123", context.Hub.RequestsFor("config.json").Single().Authorization);
    }

    [Fact]
    public async Task CreateAsync_RenamedPrivateRepository_KeepsTheTokenOnTheSameHostRedirectOnly()
    {
        using var context = new HubTestContext();
        context.Hub.RenamedFrom = "old-owner/old-name";
        context.Hub.RequiredToken = "hf_test_secret_0123";
        context.Variables[HubEnvironment.TokenVariable] = "hf_test_secret_0123";
        var source = GlucoseModelSource.Default with { Repository = "old-owner/old-name", Revision = GlucoseModelSource.DefaultRevision, OnnxUrl = context.Hub.OnnxUrl };

        (await context.CreateAsync(source)).Dispose();

        Assert.All(context.Hub.Requests.Where(r => r.Path.StartsWith("/hub/", StringComparison.Ordinal)), r => Assert.Equal("Bearer hf_test_secret_0123", r.Authorization));
        Assert.Contains(context.Hub.Requests, r => r.Path == context.Hub.HubPath("config.json"));
        Assert.Null(context.Hub.Requests.Single(r => r.Path == "/cdn/sentencepiece.bpe.model").Authorization);
    }

    [Fact]
    public async Task CreateAsync_BucketObjectReplacedAndIfRangeIgnored_StartsOverWithTheNewObject()
    {
        using var context = new HubTestContext();
        context.MaxAttempts = 1;
        context.Hub.Cut("model.onnx", 20_000, times: 1);
        await Assert.ThrowsAsync<IOException>(() => context.CreateAsync());
        Assert.True(File.Exists(context.CachedFile("model.onnx") + ".partial"));
        byte[] replacement = File.ReadAllBytes(Path.Combine(TestPaths.TinyModel, "model_opset11.onnx"));
        context.Hub.Replace("model.onnx", replacement);
        context.Hub.IgnoreIfRange = true;
        context.MaxAttempts = 4;

        (await context.CreateAsync()).Dispose();

        Assert.Equal(replacement, File.ReadAllBytes(context.CachedFile("model.onnx")));
        Assert.Null(context.Hub.RequestsFor("model.onnx")[^1].Range);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateAsync_CompletePartialAnswered416_FinishesWithoutDownloadingAgain(bool errorDocument)
    {
        using var context = new HubTestContext();
        (await context.CreateAsync()).Dispose();
        context.Hub.RangeErrorBody = errorDocument;
        string target = context.CachedFile("model.onnx");
        File.Move(target, target + ".partial");
        var note = new PartialDownload { Url = context.Hub.OnnxUrl, ETag = "\"" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(target + ".partial"))).ToLowerInvariant() + "\"" };
        File.WriteAllBytes(target + ".partial.json", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(note, ManifestJsonContext.Default.PartialDownload));
        ModelManifest manifest = ModelManifest.Read(context.ModelFolder)!;
        manifest.Files.Remove("model.onnx");
        manifest.Write(context.ModelFolder);
        int before = context.Hub.RequestsFor("model.onnx").Count;

        using GlucoseEmbedder embedder = await context.CreateAsync();

        RecordedRequest resumed = Assert.Single(context.Hub.RequestsFor("model.onnx").Skip(before));
        Assert.Equal($"bytes={context.Hub.Content("model.onnx").Length}-", resumed.Range);
        AssertManifestMatches(context);
    }

    [Fact]
    public async Task CreateAsync_CompressedAnswer_RejectedAndIdentityAsked()
    {
        using var context = new HubTestContext();
        context.Hub.ContentEncoding = "gzip";

        var ex = await Assert.ThrowsAsync<IOException>(() => context.CreateAsync());

        Assert.Contains("Content-Encoding 'gzip'", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(context.CachedFile("model.onnx")));
        Assert.All(context.Hub.Requests, r => Assert.Equal("identity", r.AcceptEncoding));
    }

    [Fact]
    public async Task CreateAsync_CaptivePortalPage_RefusedAndNothingStored()
    {
        using var context = new HubTestContext();
        context.Hub.CaptivePortal = true;

        var ex = await Assert.ThrowsAsync<IOException>(() => context.CreateAsync());

        Assert.Contains("a web page (Content-Type text/html)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("captive portal", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(context.CachedFile("config.json")), "a web page must not be stored as the file");
        Assert.False(File.Exists(context.CachedFile(ModelManifest.FileName)));
    }

    [Fact]
    public async Task CreateAsync_InterruptedTransfer_ResumesWithRangeAndCompletes()
    {
        using var context = new HubTestContext();
        context.Hub.Cut("model.onnx", bytes: 1_000_000, times: 1);

        using GlucoseEmbedder embedder = await context.CreateAsync();

        var requests = context.Hub.RequestsFor("model.onnx");
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].Range);
        Assert.Equal("bytes=1000000-", requests[1].Range);
        Assert.NotNull(requests[1].IfRange);
        Assert.Equal(context.Hub.Content("model.onnx"), File.ReadAllBytes(context.CachedFile("model.onnx")));
        AssertManifestMatches(context);
        AssertEncodesLikeTinyModel(embedder);
    }

    [Fact]
    public async Task CreateAsync_TruncatedBodyEveryTime_FailsKeepsPartialAndNextRunResumes()
    {
        using var context = new HubTestContext();
        context.Hub.Cut("model.onnx", bytes: 1_000_000);

        var ex = await Assert.ThrowsAsync<IOException>(() => context.CreateAsync());

        Assert.Contains("interrupted 4 times", ex.Message, StringComparison.Ordinal);
        Assert.Contains("run again to resume", ex.Message, StringComparison.Ordinal);
        Assert.Contains(context.Hub.OnnxUrl, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(context.CachedFile("model.onnx")), "a truncated file must never be renamed into place");
        Assert.Equal(4_000_000, new FileInfo(context.CachedFile("model.onnx") + ".partial").Length);
        Assert.Equal(["bytes=1000000-", "bytes=2000000-", "bytes=3000000-"], context.Hub.RequestsFor("model.onnx").Skip(1).Select(r => r.Range));

        context.Hub.Heal();
        using GlucoseEmbedder embedder = await context.CreateAsync();

        Assert.Equal("bytes=4000000-", context.Hub.RequestsFor("model.onnx")[^1].Range);
        Assert.Equal(context.Hub.Content("model.onnx"), File.ReadAllBytes(context.CachedFile("model.onnx")));
        AssertEncodesLikeTinyModel(embedder);
    }

    [Fact]
    public async Task CreateAsync_ConnectionStallsMidFile_TimesOutAndResumesWithRange()
    {
        // One second: long enough that a loaded CI machine (ONNX Runtime's threads spinning on both cores) does not
        // starve the healthy transfers into timeouts of their own; if it still does, those requests must resume too.
        using var context = new HubTestContext { StallTimeout = TimeSpan.FromSeconds(1) };
        context.Hub.Stall("model.onnx", bytes: 1_000_000);

        (await context.CreateAsync()).Dispose();

        var requests = context.Hub.RequestsFor("model.onnx");
        Assert.True(requests.Count >= 2, $"{requests.Count} request(s) for model.onnx: the stall was not detected");
        Assert.Null(requests[0].Range);
        Assert.Equal("bytes=1000000-", requests[1].Range);
        Assert.All(requests.Skip(1), r => Assert.StartsWith("bytes=", r.Range, StringComparison.Ordinal));
        long[] offsets = [.. requests.Skip(1).Select(r => long.Parse(r.Range!["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.All(offsets.Zip(offsets.Skip(1)), pair => Assert.True(pair.Second >= pair.First, $"request resumed at {pair.Second} after {pair.First}: it started over"));
        Assert.Equal(context.Hub.Content("model.onnx"), File.ReadAllBytes(context.CachedFile("model.onnx")));
    }

    [Fact]
    public async Task CreateAsync_ServerIgnoresRange_StartsOverAndCompletes()
    {
        using var context = new HubTestContext();
        context.Hub.Cut("model.onnx", bytes: 1_000_000, times: 1);
        context.Hub.IgnoreRange = true;

        (await context.CreateAsync()).Dispose();

        Assert.Equal(context.Hub.Content("model.onnx"), File.ReadAllBytes(context.CachedFile("model.onnx")));
        AssertManifestMatches(context);
    }

    [Fact]
    public async Task CreateAsync_CorruptedCachedFile_DetectsHashMismatchAndDownloadsAgain()
    {
        using var context = new HubTestContext();
        (await context.CreateAsync()).Dispose();
        FlipOneByte(context.CachedFile("model.onnx"));

        using GlucoseEmbedder embedder = await context.CreateAsync();

        Assert.Equal(2, context.Hub.RequestsFor("model.onnx").Count);
        Assert.Single(context.Hub.RequestsFor("config.json"));
        Assert.Equal(context.Hub.Content("model.onnx"), File.ReadAllBytes(context.CachedFile("model.onnx")));
        AssertEncodesLikeTinyModel(embedder);
    }

    [Fact]
    public async Task CreateAsync_CachedFileOfWrongSize_DownloadsAgain()
    {
        using var context = new HubTestContext();
        (await context.CreateAsync()).Dispose();
        File.AppendAllText(context.CachedFile("1_Pooling/config.json"), " ");

        (await context.CreateAsync()).Dispose();

        Assert.Equal(2, context.Hub.RequestsFor("1_Pooling/config.json").Count);
        Assert.Equal(context.Hub.Content("1_Pooling/config.json"), File.ReadAllBytes(context.CachedFile("1_Pooling/config.json")));
    }

    [Fact]
    public async Task CreateAsync_TwoConcurrentDownloads_BothSucceedAndEachFileIsFetchedOnce()
    {
        using var context = new HubTestContext();
        context.Hub.ChunkDelay = TimeSpan.FromMilliseconds(3);
        var onnxStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new RecordingProgress(p =>
        {
            if (p.FileName == "model.onnx")
            {
                onnxStarted.TrySetResult();
            }
        });

        Task<GlucoseEmbedder> first = context.CreateAsync(progress: progress);
        await onnxStarted.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Task<GlucoseEmbedder> second = context.CreateAsync();
        GlucoseEmbedder[] embedders = await Task.WhenAll(first, second);

        try
        {
            Assert.All(embedders, AssertEncodesLikeTinyModel);
            Assert.All(AllFiles, file => Assert.Single(context.Hub.RequestsFor(file)));
            Assert.All(AllFiles, file => Assert.Equal(context.Hub.Content(file), File.ReadAllBytes(context.CachedFile(file))));
            AssertManifestMatches(context);
        }
        finally
        {
            Array.ForEach(embedders, e => e.Dispose());
        }
    }

    [Fact]
    public async Task CreateAsync_Canceled_ThrowsAndKeepsBytesForTheNextRun()
    {
        using var context = new HubTestContext();
        context.Hub.ChunkDelay = TimeSpan.FromMilliseconds(2);
        using var cancel = new CancellationTokenSource();
        var progress = new RecordingProgress(p =>
        {
            if (p.FileName == "model.onnx" && p.BytesDone > 0)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => context.CreateCancelableAsync(null, progress, cancel.Token));
        long kept = new FileInfo(context.CachedFile("model.onnx") + ".partial").Length;
        context.Hub.ChunkDelay = TimeSpan.Zero;
        (await context.CreateAsync()).Dispose();

        Assert.True(kept > 0, "the bytes received before the cancel are kept");
        Assert.Equal($"bytes={kept}-", context.Hub.RequestsFor("model.onnx")[^1].Range);
        Assert.Equal(context.Hub.Content("model.onnx"), File.ReadAllBytes(context.CachedFile("model.onnx")));
    }

    [Fact]
    public async Task CreateAsync_OfflineWithFolderCopiedByHand_LoadsIt()
    {
        using var context = new HubTestContext();
        context.Variables[HubEnvironment.OfflineVariable] = "1";
        CopyTinyModelByHand(context);

        using GlucoseEmbedder embedder = await context.CreateAsync();

        AssertEncodesLikeTinyModel(embedder);
        Assert.Empty(context.Hub.Requests);
    }

    [Fact]
    public async Task CreateAsync_FolderCopiedByHandAndHubUnreachable_KeepsTheFilesForOfflineUse()
    {
        using var context = new HubTestContext();
        context.MaxAttempts = 1;
        CopyTinyModelByHand(context);
        context.Hub.Stop();

        await Assert.ThrowsAsync<System.Net.Http.HttpRequestException>(() => context.CreateAsync());

        foreach (string file in AllFiles)
        {
            Assert.True(File.Exists(context.CachedFile(file)), $"{file} copied by hand is still there");
        }

        context.Variables[HubEnvironment.OfflineVariable] = "1";
        using GlucoseEmbedder embedder = await context.CreateAsync();
        AssertEncodesLikeTinyModel(embedder);
    }

    [Fact]
    public async Task CreateAsync_FolderCopiedByHandAndOnnxHostFails_KeepsTheGraphAndLoadsOffline()
    {
        using var context = new HubTestContext();
        context.MaxAttempts = 1;
        CopyTinyModelByHand(context);
        context.Hub.Refuse("model.onnx", System.Net.HttpStatusCode.NotFound);

        await Assert.ThrowsAsync<System.Net.Http.HttpRequestException>(() => context.CreateAsync());

        // The repository files came again and are in the manifest; the graph is the copy made by hand, in none.
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestPaths.TinyModel, "model.onnx")), File.ReadAllBytes(context.CachedFile("model.onnx")));
        context.Variables[HubEnvironment.OfflineVariable] = "1";
        using GlucoseEmbedder embedder = await context.CreateAsync();
        AssertEncodesLikeTinyModel(embedder);
    }

    [Fact]
    public async Task CreateAsync_ManifestWithAnEmptyEntry_DownloadsThatFileAgain()
    {
        using var context = new HubTestContext();
        (await context.CreateAsync()).Dispose();
        string manifestPath = Path.Combine(context.ModelFolder, ModelManifest.FileName);
        string manifest = File.ReadAllText(manifestPath);
        Assert.Contains("\"config.json\": {", manifest, StringComparison.Ordinal);
        File.WriteAllText(manifestPath, manifest.Replace("\"config.json\": {", "\"config.json\": null, \"unused\": {", StringComparison.Ordinal));

        (await context.CreateAsync()).Dispose();

        Assert.Equal(2, context.Hub.RequestsFor("config.json").Count);
        Assert.Single(context.Hub.RequestsFor("model.onnx"));
        AssertManifestMatches(context);
    }

    [Fact]
    public async Task CreateAsync_DownloadedModel_IsKnownByItsRepository()
    {
        using var context = new HubTestContext();

        using GlucoseEmbedder embedder = await context.CreateAsync();
        using GlucoseEmbedder named = await context.CreateAsync(options: new GlucoseEmbedderOptions { ModelId = "mine" });

        Assert.Equal(GlucoseModelSource.DefaultRepository, embedder.ModelId());
        Assert.Equal("mine", named.ModelId());
    }

    [Fact]
    public async Task CreateAsync_LocalDirectorySource_LoadsWithoutNetwork()
    {
        using var context = new HubTestContext();

        using GlucoseEmbedder embedder = await context.CreateAsync(GlucoseModelSource.FromDirectory(TestPaths.TinyModel));

        AssertEncodesLikeTinyModel(embedder);
        Assert.Empty(context.Hub.Requests);
        Assert.False(Directory.Exists(context.CacheRoot));
    }

    [Fact]
    public async Task CreateAsync_BadOption_FailsBeforeDownloading()
    {
        using var context = new HubTestContext();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            GlucoseEmbedder.CreateCoreAsync(null, new GlucoseEmbedderOptions { BatchSize = 0 }, null, context.Environment, TestContext.Current.CancellationToken));

        Assert.Empty(context.Hub.Requests);
    }

    [Fact]
    public async Task CreateAsync_GraphWithUnalignedWeights_WritesNothingBesideTheDownloadedFiles()
    {
        // The opset-11 graph, like the public export of GLuCoSE-base-ja, has its weights inside the file at odd offsets.
        // The lanes once needed an aligned copy written beside the cache ('<revision>.onnxruntime'); now nothing is.
        using var context = new HubTestContext(onnxFile: "model_opset11.onnx");
        var options = new GlucoseEmbedderOptions { IntraOpNumThreads = 2 };

        using GlucoseEmbedder embedder = await context.CreateAsync(options: options);
        string[] written = CacheEntries(context);
        using (var harness = EngineHarness.Open(context.ModelFolder, options))
        {
            await harness.Engine.Sessions.OpenLanes().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            harness.Embedder.Encode(Sentences);
        }

        embedder.Encode(Sentences);
        Assert.Null(options.Performance.OptimizedModelCacheDirectory);
        Assert.False(Directory.Exists(context.ModelFolder + ".onnxruntime"));
        Assert.Equal([context.ModelFolder], Directory.GetDirectories(Path.GetDirectoryName(context.ModelFolder)!));
        Assert.Equal([Path.Combine(context.ModelFolder, "1_Pooling")], Directory.GetDirectories(context.ModelFolder));
        Assert.DoesNotContain(written, entry => entry.EndsWith(".onnxruntime", StringComparison.Ordinal) || entry.EndsWith(".ort", StringComparison.Ordinal));
        Assert.Equal(written, CacheEntries(context));
        AssertManifestMatches(context);
    }

    [Fact]
    public async Task CreateAsync_GraphWithUnalignedWeights_OpensTheLanesFromAlignedCopiesWithIdenticalEmbeddings()
    {
        using var context = new HubTestContext(onnxFile: "model_opset11.onnx");
        (await context.CreateAsync()).Dispose();

        // Two threads make the lanes possible on any machine (each lane gets one).
        using var lanes = EngineHarness.Open(context.ModelFolder, new GlucoseEmbedderOptions { IntraOpNumThreads = 2 });
        using var serial = EngineHarness.Open(context.ModelFolder, new GlucoseEmbedderOptions { IntraOpNumThreads = 2, Performance = { ParallelRuns = false } });
        await lanes.Engine.Sessions.OpenLanes().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await serial.Engine.Sessions.OpenLanes().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal("on", lanes.Engine.Sessions.LanesState);
        Assert.StartsWith("off", serial.Engine.Sessions.LanesState, StringComparison.Ordinal);
        Assert.Equal(serial.Embedder.Encode(Sentences), lanes.Embedder.Encode(Sentences));
        Assert.Equal(serial.Embedder.Encode(Sentences[2]), lanes.Embedder.Encode(Sentences[2]));
    }

    [Theory]
    [InlineData("model.onnx", true, 2)]
    [InlineData("model_opset11.onnx", false, 2)]
    [InlineData("model_opset11.onnx", true, 1)]
    public async Task CreateAsync_AnyGraphOrLaneSetting_WritesNoCacheBesideTheModel(string onnxFile, bool parallelRuns, int threads)
    {
        using var context = new HubTestContext(onnxFile);

        (await context.CreateAsync(options: new GlucoseEmbedderOptions { IntraOpNumThreads = threads, Performance = { ParallelRuns = parallelRuns } })).Dispose();

        Assert.True(File.Exists(context.CachedFile("model.onnx")));
        Assert.False(Directory.Exists(context.ModelFolder + ".onnxruntime"));
        Assert.Equal([context.ModelFolder], Directory.GetDirectories(Path.GetDirectoryName(context.ModelFolder)!));
    }

    [Fact]
    public async Task CreateAsync_CacheFolderChosenByTheCaller_IsTheOneUsed()
    {
        using var context = new HubTestContext(onnxFile: "model_opset11.onnx");
        string chosen = Path.Combine(context.CacheRoot, "chosen");
        var options = new GlucoseEmbedderOptions { IntraOpNumThreads = 2, Performance = { OptimizedModelCacheDirectory = chosen } };
        (await context.CreateAsync(options: options)).Dispose();

        using var harness = EngineHarness.Open(context.ModelFolder, options);
        await harness.Engine.Sessions.OpenLanes().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal("on", harness.Engine.Sessions.LanesState);
        Assert.Single(Directory.GetFiles(chosen, "*.onnx"));
        Assert.False(Directory.Exists(context.ModelFolder + ".onnxruntime"));
    }

    // Every file and folder under the test's cache root, relative to it, in order.
    private static string[] CacheEntries(HubTestContext context) =>
        Directory.GetFileSystemEntries(context.CacheRoot, "*", SearchOption.AllDirectories)
            .Select(entry => Path.GetRelativePath(context.CacheRoot, entry))
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static void CopyTinyModelByHand(HubTestContext context)
    {
        foreach (string file in AllFiles)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(context.CachedFile(file))!);
            File.Copy(Path.Combine(TestPaths.TinyModel, file), context.CachedFile(file));
        }
    }

    internal static void AssertEncodesLikeTinyModel(GlucoseEmbedder embedder)
    {
        using GlucoseEmbedder local = GlucoseEmbedder.Create(TestPaths.TinyModel);
        float[][] expected = local.Encode(Sentences);
        float[][] actual = embedder.Encode(Sentences);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, actual[i].Length);
            for (int j = 0; j < expected[i].Length; j++)
            {
                Assert.True(Math.Abs(expected[i][j] - actual[i][j]) <= 1e-6f, $"sentence {i} component {j}: expected {expected[i][j]}, found {actual[i][j]}");
            }
        }
    }

    private static void AssertManifestMatches(HubTestContext context)
    {
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(context.ModelFolder, ModelManifest.FileName)));
        JsonElement files = manifest.RootElement.GetProperty("files");
        foreach (string file in AllFiles)
        {
            byte[] content = context.Hub.Content(file);
            JsonElement entry = files.GetProperty(file);
            Assert.Equal(content.Length, entry.GetProperty("size").GetInt64());
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(content)).ToLowerInvariant(), entry.GetProperty("sha256").GetString());
        }
    }

    private static void FlipOneByte(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
    }
}
