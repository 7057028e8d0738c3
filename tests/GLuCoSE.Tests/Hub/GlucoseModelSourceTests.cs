using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using GLuCoSE.Hub;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Hub;

/// <summary>How a source and the environment turn into URLs, a cache folder and flags.</summary>
public sealed class GlucoseModelSourceTests
{
    private static readonly string Cache = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "glucose-never-written-cache"));

    [Fact]
    public void Resolve_DefaultSourceAndEmptyEnvironment_UsesHubPinnedRevisionAndAiliaOnnx()
    {
        ResolvedSource resolved = Resolve(GlucoseModelSource.Default, new() { ["HOME"] = "/home/u" });

        Assert.Equal(40, GlucoseModelSource.DefaultRevision.Length);
        Assert.True(GlucoseModelSource.DefaultRevision.All(Uri.IsHexDigit));
        Assert.Equal(
            $"https://huggingface.co/pkshatech/GLuCoSE-base-ja/resolve/{GlucoseModelSource.DefaultRevision}/1_Pooling/config.json",
            resolved.Files.Single(f => f.RelativePath == "1_Pooling/config.json").Url.AbsoluteUri);
        RemoteFile onnx = resolved.Files[^1];
        Assert.Equal("model.onnx", onnx.RelativePath);
        Assert.Equal(GlucoseModelSource.DefaultOnnxUrl, onnx.Url.AbsoluteUri);
        Assert.False(onnx.OnHub, "the hub token must not go to the ONNX host");
        Assert.Equal(10, resolved.Files.Count);
        Assert.False(resolved.Offline);
        Assert.Null(resolved.Token);
    }

    [Fact]
    public void Resolve_DefaultCacheRoot_IsGlucoseUnderTheUserCacheFolder()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the XDG convention is Linux's");

        Assert.Equal(
            Path.Combine("/home/u", ".cache", "glucose", "pkshatech--GLuCoSE-base-ja", GlucoseModelSource.DefaultRevision),
            Resolve(GlucoseModelSource.Default, new() { ["HOME"] = "/home/u" }).Folder);
        Assert.Equal(
            Path.Combine("/xdg", "glucose", "pkshatech--GLuCoSE-base-ja", GlucoseModelSource.DefaultRevision),
            Resolve(GlucoseModelSource.Default, new() { ["HOME"] = "/home/u", ["XDG_CACHE_HOME"] = "/xdg" }).Folder);
    }

    [Fact]
    public void Resolve_EnvironmentVariables_SetEndpointCacheTokenOfflineAndOnnxUrl()
    {
        var variables = new Dictionary<string, string>
        {
            [HubEnvironment.EndpointVariable] = "https://mirror.example/hf/",
            [HubEnvironment.CacheVariable] = Cache,
            [HubEnvironment.TokenVariable] = "hf_abc",
            [HubEnvironment.OfflineVariable] = "YES",
            [HubEnvironment.OnnxUrlVariable] = "https://models.example/glucose.onnx",
        };

        ResolvedSource resolved = Resolve(GlucoseModelSource.Default, variables);

        Assert.StartsWith("https://mirror.example/hf/pkshatech/GLuCoSE-base-ja/resolve/", resolved.Files[0].Url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("https://models.example/glucose.onnx", resolved.Files[^1].Url.AbsoluteUri);
        Assert.True(resolved.Offline);
        Assert.Equal("hf_abc", resolved.Token);
        Assert.StartsWith(Path.Combine(Cache, "pkshatech--GLuCoSE-base-ja", GlucoseModelSource.DefaultRevision + "-onnx-"), resolved.Folder, StringComparison.Ordinal);
    }

    [Fact]
    public void OfflineMissing_DefaultHub_LinksTheRepositoryTree()
    {
        ResolvedSource resolved = Resolve(GlucoseModelSource.Default, new() { [HubEnvironment.CacheVariable] = Cache });

        string message = HubErrors.OfflineMissing(resolved, ["model.onnx"]).Message;

        Assert.Contains($" (the repository files from https://huggingface.co/pkshatech/GLuCoSE-base-ja/tree/{GlucoseModelSource.DefaultRevision}); ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_GlucoseOnnxUrl_AppliesToTheDefaultRepositoryOnly()
    {
        var variables = new Dictionary<string, string>
        {
            [HubEnvironment.CacheVariable] = Cache,
            [HubEnvironment.OnnxUrlVariable] = "https://models.example/glucose.onnx",
        };

        ResolvedSource other = Resolve(GlucoseModelSource.FromHub("someone/luke-model", "v1"), variables);
        ResolvedSource glucose = Resolve(GlucoseModelSource.Default, variables);

        Assert.Equal("https://huggingface.co/someone/luke-model/resolve/v1/onnx/model.onnx", other.Files[^1].Url.AbsoluteUri);
        Assert.Null(other.CustomOnnxUrl);
        Assert.Equal("https://models.example/glucose.onnx", glucose.Files[^1].Url.AbsoluteUri);
    }

    [Fact]
    public void Resolve_SourceProperties_WinOverEnvironment()
    {
        var variables = new Dictionary<string, string>
        {
            [HubEnvironment.EndpointVariable] = "https://mirror.example",
            [HubEnvironment.CacheVariable] = "/elsewhere",
            [HubEnvironment.OfflineVariable] = "1",
        };
        GlucoseModelSource source = GlucoseModelSource.Default with { Endpoint = "https://hub.example", CacheDirectory = Cache, Offline = false };

        ResolvedSource resolved = Resolve(source, variables);

        Assert.StartsWith("https://hub.example/pkshatech/", resolved.Files[0].Url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(Cache, "pkshatech--GLuCoSE-base-ja", GlucoseModelSource.DefaultRevision), resolved.Folder);
        Assert.False(resolved.Offline);
    }

    [Fact]
    public void Resolve_OtherRepository_TakesOnnxFromItsOnnxFolderWithTheToken()
    {
        ResolvedSource resolved = Resolve(GlucoseModelSource.FromHub("someone/luke-model", "refs/pr/1"), new() { [HubEnvironment.CacheVariable] = Cache });

        RemoteFile onnx = resolved.Files[^1];
        Assert.Equal("https://huggingface.co/someone/luke-model/resolve/refs%2Fpr%2F1/onnx/model.onnx", onnx.Url.AbsoluteUri);
        Assert.True(onnx.OnHub);
        Assert.Equal(Path.Combine(Cache, "someone--luke-model", "refs--pr--1"), resolved.Folder);
    }

    [Theory]
    [InlineData("no-slash")]
    [InlineData("a/b/c")]
    [InlineData("../x")]
    [InlineData("owner/name with space")]
    public void FromHub_BadRepository_ThrowsNamingIt(string repository)
    {
        var ex = Assert.Throws<ArgumentException>(() => GlucoseModelSource.FromHub(repository));

        Assert.Equal("repository", ex.ParamName);
        Assert.Contains($"'{repository}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData(".")]
    [InlineData("refs/./main")]
    [InlineData("a b")]
    [InlineData("")]
    public void Resolve_BadRevision_ThrowsNamingIt(string revision)
    {
        var ex = Assert.Throws<ArgumentException>(() => Resolve(GlucoseModelSource.Default with { Revision = revision }, []));

        Assert.Contains($"found '{revision}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../config.json")]
    [InlineData("a//b")]
    [InlineData("model.onnx")]
    public void Resolve_BadFileList_ThrowsNamingTheFile(string file)
    {
        var ex = Assert.Throws<ArgumentException>(() => Resolve(GlucoseModelSource.Default with { Files = ["config.json", file] }, []));

        Assert.Contains($"'{file}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_OnnxUrlNotHttp_ThrowsNamingTheVariable()
    {
        var ex = Assert.Throws<ArgumentException>(() => Resolve(GlucoseModelSource.Default, new() { [HubEnvironment.OnnxUrlVariable] = "file:///x.onnx" }));

        Assert.Equal(HubEnvironment.OnnxUrlVariable, ex.ParamName);
    }

    [Fact]
    public void Parse_RepositoryWithAndWithoutRevision_ReadsBoth()
    {
        GlucoseModelSource pinned = GlucoseModelSource.Parse("someone/model@v1.0");
        GlucoseModelSource main = GlucoseModelSource.Parse("someone/model");
        GlucoseModelSource glucose = GlucoseModelSource.Parse(GlucoseModelSource.DefaultRepository);

        Assert.Equal(("someone/model", "v1.0"), (pinned.Repository, pinned.Revision));
        Assert.Null(main.Revision);
        Assert.Equal("main", main.EffectiveRevision);
        Assert.Equal(GlucoseModelSource.DefaultRevision, glucose.EffectiveRevision);
        Assert.Equal(GlucoseModelSource.Default, glucose);
    }

    [Fact]
    public void Parse_ExistingFolderOrPath_IsALocalDirectory()
    {
        Assert.Equal(TestPaths.TinyModel, GlucoseModelSource.Parse(TestPaths.TinyModel).LocalDirectory);
        Assert.Equal("./models/missing", GlucoseModelSource.Parse("./models/missing").LocalDirectory);
        Assert.Null(GlucoseModelSource.Parse("./models/missing").Repository);
    }

    [Fact]
    public void Parse_EmptyRevision_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => GlucoseModelSource.Parse("someone/model@"));

        Assert.Contains("empty revision", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_HubSource_IsRepositoryAtRevision()
    {
        Assert.Equal($"{GlucoseModelSource.DefaultRepository}@{GlucoseModelSource.DefaultRevision}", GlucoseModelSource.Default.ToString());
    }

    [Fact]
    public void DownloadProgress_IsComplete_OnlyWhenEveryByteOfAKnownTotalIsDone()
    {
        var half = new DownloadProgress("model.onnx", 1_500_000, 3_000_000);

        Assert.Equal(("model.onnx", 1_500_000L, (long?)3_000_000L), (half.FileName, half.BytesDone, half.TotalBytes));
        Assert.False(half.IsComplete);
        Assert.True(new DownloadProgress("model.onnx", 3_000_000, 3_000_000).IsComplete);
        Assert.False(new DownloadProgress("model.onnx", 1, null).IsComplete);
    }

    [Fact]
    public async Task CreateAsync_PublicOverloadWithLocalFolder_LoadsItAsCreateDoes()
    {
        using GlucoseEmbedder embedder = await GlucoseEmbedder.CreateAsync(
            GlucoseModelSource.FromDirectory(TestPaths.TinyModel), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(Path.Combine(TestPaths.TinyModel, "model.onnx"), embedder.ModelPath());
        ModelCacheTests.AssertEncodesLikeTinyModel(embedder);
    }

    [Fact]
    public async Task DownloadAsync_MissingLocalFolder_ThrowsNamingIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), "glucose-missing-" + Guid.NewGuid().ToString("N"));

        var ex = await Assert.ThrowsAsync<DirectoryNotFoundException>(() =>
            GlucoseModelSource.FromDirectory(missing).DownloadAsync(cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Contains("model.onnx", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetLocalFolder_HubSourceWithCacheDirectory_IsRepositoryAndRevisionUnderIt()
    {
        string folder = (GlucoseModelSource.Default with { CacheDirectory = Cache }).GetLocalFolder();

        Assert.StartsWith(Path.Combine(Cache, "pkshatech--GLuCoSE-base-ja", GlucoseModelSource.DefaultRevision), folder, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath("some-folder"), GlucoseModelSource.FromDirectory("some-folder").GetLocalFolder());
    }

    [Theory]
    [InlineData(null, "1", true)]
    [InlineData(null, "true", true)]
    [InlineData("0", "1", false)]
    [InlineData("1", null, true)]
    [InlineData(null, null, false)]
    public void Resolve_TransformersOffline_CountsUnlessHfHubOfflineIsSet(string? hfHubOffline, string? transformersOffline, bool offline)
    {
        var variables = new Dictionary<string, string> { [HubEnvironment.CacheVariable] = Cache };
        if (hfHubOffline is not null)
        {
            variables[HubEnvironment.OfflineVariable] = hfHubOffline;
        }

        if (transformersOffline is not null)
        {
            variables["TRANSFORMERS_OFFLINE"] = transformersOffline;
        }

        Assert.Equal(offline, Resolve(GlucoseModelSource.Default, variables).Offline);
    }

    private static ResolvedSource Resolve(GlucoseModelSource source, Dictionary<string, string> variables)
    {
        using var client = new HttpClient();
        return ResolvedSource.Resolve(source, new HubEnvironment(name => variables.GetValueOrDefault(name), client));
    }
}
