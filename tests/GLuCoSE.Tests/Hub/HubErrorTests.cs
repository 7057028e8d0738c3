using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using GLuCoSE.Hub;
using Xunit;

namespace GLuCoSE.Tests.Hub;

/// <summary>Every download failure says what happened, to which file, and what to do; none leaks the token.</summary>
public sealed class HubErrorTests
{
    private const string Token = "hf_test_secret_4567";

    [Fact]
    public async Task CreateAsync_OfflineWithEmptyCache_FailsWithCommandAndLayoutAndNoRequest()
    {
        using var context = new HubTestContext();
        context.Variables[HubEnvironment.OfflineVariable] = "1";

        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => context.CreateAsync());

        Assert.Contains("HF_HUB_OFFLINE=1", ex.Message, StringComparison.Ordinal);
        // Ways that work for any app and machine (the library's API, the glucose tool), not a clone's sample project.
        Assert.Contains(
            $"await (GlucoseModelSource.Default with {{ OnnxUrl = \"{context.Hub.OnnxUrl}\", CacheDirectory = \"/tmp/glucose-cache\" }}).DownloadAsync();",
            ex.Message,
            StringComparison.Ordinal);
        Assert.Contains($"glucose download --source {GlucoseModelSource.DefaultRepository}@{GlucoseModelSource.DefaultRevision} --onnx-url {context.Hub.OnnxUrl}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet run", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"copy /tmp/glucose-cache/{Path.GetRelativePath(context.CacheRoot, context.ModelFolder).Replace('\\', '/')} to '{context.ModelFolder}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sentencepiece.bpe.model", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1_Pooling/config.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("https://github.com/glucose-dotnet/GLuCoSE/blob/main/docs/models.md", ex.Message, StringComparison.Ordinal);
        Assert.Empty(context.Hub.Requests);
        Assert.False(Directory.Exists(context.CacheRoot), "offline mode must not create the cache");
    }

    [Fact]
    public async Task CreateAsync_OfflineWithCorruptedCachedFile_FailsNamingFileAndHashes()
    {
        using var context = new HubTestContext();
        (await context.CreateAsync()).Dispose();
        byte[] bytes = File.ReadAllBytes(context.CachedFile("sentencepiece.bpe.model"));
        bytes[100] ^= 1;
        File.WriteAllBytes(context.CachedFile("sentencepiece.bpe.model"), bytes);
        context.Variables[HubEnvironment.OfflineVariable] = "true";

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => context.CreateAsync());

        Assert.Contains("sentencepiece.bpe.model has SHA-256 ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(ModelManifest.FileName + " says ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(context.ModelFolder, ex.Message, StringComparison.Ordinal);
        Assert.Contains("without offline mode", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_OfflineWithDamagedManifest_FailsNamingTheManifest()
    {
        using var context = new HubTestContext();
        (await context.CreateAsync()).Dispose();
        File.WriteAllText(Path.Combine(context.ModelFolder, ModelManifest.FileName), "{ not json");
        context.Variables[HubEnvironment.OfflineVariable] = "1";

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => context.CreateAsync());

        Assert.Contains(ModelManifest.FileName, ex.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(ex.InnerException);
    }

    [Fact]
    public async Task CreateAsync_HubFileNotFound_NamesTheUrlAndTheSettings()
    {
        using var context = new HubTestContext();
        context.Hub.Refuse("config.json", HttpStatusCode.NotFound);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains($"Not found (404): {context.Hub.Endpoint}/{GlucoseModelSource.DefaultRepository}/resolve/{GlucoseModelSource.DefaultRevision}/config.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Revision", ex.Message, StringComparison.Ordinal);
        Assert.Single(context.Hub.RequestsFor("config.json"));
        Assert.False(File.Exists(context.CachedFile("config.json")));
    }

    [Fact]
    public async Task CreateAsync_OnnxUrlNotFound_NamesTheUrlAndGlucoseOnnxUrl()
    {
        using var context = new HubTestContext();
        context.Hub.Refuse("model.onnx", HttpStatusCode.NotFound);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains($"Not found (404): the ONNX graph at {context.Hub.OnnxUrl}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(HubEnvironment.OnnxUrlVariable, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task CreateAsync_RefusedWithoutToken_SaysToSetHfToken(HttpStatusCode status)
    {
        using var context = new HubTestContext();
        context.Hub.RefuseAll(status);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Equal(status, ex.StatusCode);
        Assert.Contains($"{(int)status} ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("set the environment variable HF_TOKEN", ex.Message, StringComparison.Ordinal);
        Assert.Contains(GlucoseModelSource.DefaultRepository, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_TokenRejected_SaysTheTokenIsWrongWithoutShowingIt()
    {
        using var context = new HubTestContext();
        context.Variables[HubEnvironment.TokenVariable] = Token;
        context.Hub.RefuseAll(HttpStatusCode.Unauthorized);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Equal($"Bearer {Token}", Assert.Single(context.Hub.Requests).Authorization);
        Assert.Contains("although a token is set (HF_TOKEN)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_OnnxHostRefuses_SaysTheTokenIsNotSentThere()
    {
        using var context = new HubTestContext();
        context.Variables[HubEnvironment.TokenVariable] = Token;
        context.Hub.Refuse("model.onnx", HttpStatusCode.Forbidden);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Contains("HF_TOKEN is only sent to the hub", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_UnknownRepositoryWithoutToken_SaysItMayNotExistOrBePrivate()
    {
        using var context = new HubTestContext();
        var source = GlucoseModelSource.Default with { Repository = "pkshatech/GLuCoSE-base-jaa", OnnxUrl = context.Hub.OnnxUrl };

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync(source));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Contains("RepoNotFound", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'pkshatech/GLuCoSE-base-jaa' does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("private or gated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HF_TOKEN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_UnknownRevision_NamesTheRevision()
    {
        using var context = new HubTestContext();
        var source = GlucoseModelSource.Default with { Revision = "v9.9", OnnxUrl = context.Hub.OnnxUrl };

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync(source));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains($"'{GlucoseModelSource.DefaultRepository}' has no revision 'v9.9'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_UnknownFile_NamesTheFile()
    {
        using var context = new HubTestContext();
        var source = GlucoseModelSource.Default with { Files = [.. GlucoseModelSource.DefaultFiles, "no_such_file.json"] };

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync(source));

        Assert.Contains("the file 'no_such_file.json' is not in", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EntryNotFound", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateAsync_GatedRepository_SaysToAcceptItsTerms(bool withToken)
    {
        using var context = new HubTestContext();
        context.Hub.Gated = true;
        if (withToken)
        {
            context.Variables[HubEnvironment.TokenVariable] = Token;
        }

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Contains("gated repository", ex.Message, StringComparison.Ordinal);
        Assert.Contains("accept", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Token, ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateAsync_DisabledRepository_SaysItIsDisabledAndDoesNotBlameTheToken(bool withToken)
    {
        using var context = new HubTestContext();
        context.Hub.Disabled = true;
        if (withToken)
        {
            context.Variables[HubEnvironment.TokenVariable] = Token;
        }

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains("Access to this resource is disabled", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{GlucoseModelSource.DefaultRepository}' is disabled", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("set the environment variable HF_TOKEN", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token is invalid", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_CdnRefuses_DoesNotBlameTheToken()
    {
        using var context = new HubTestContext();
        context.Variables[HubEnvironment.TokenVariable] = Token;
        context.Hub.RefuseCdn(HttpStatusCode.Forbidden);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains($"{context.Hub.CdnBase}/sentencepiece.bpe.model", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is not the cause", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token is invalid", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("cdn-signature-0123", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_SignedOnnxUrl_SignatureNeitherInMessagesNorInTheManifest()
    {
        using var context = new HubTestContext();
        context.Variables[HubEnvironment.OnnxUrlVariable] = context.Hub.OnnxUrl + "?X-Goog-Signature=bucket-signature-0123";
        (await context.CreateAsync()).Dispose();
        Assert.DoesNotContain("bucket-signature-0123", File.ReadAllText(context.CachedFile(ModelManifest.FileName)), StringComparison.Ordinal);

        using var refused = new HubTestContext();
        refused.Variables[HubEnvironment.OnnxUrlVariable] = refused.Hub.OnnxUrl + "?X-Goog-Signature=bucket-signature-0123";
        refused.Hub.Refuse("model.onnx", HttpStatusCode.Forbidden);
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => refused.CreateAsync());

        Assert.Contains(refused.Hub.OnnxUrl + "?…", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bucket-signature-0123", ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7", 7)]
    [InlineData("3600", 60)]
    public async Task CreateAsync_RateLimitedThenServed_WaitsRetryAfterWithinTheBound(string retryAfter, int expectedSeconds)
    {
        using var context = new HubTestContext();
        context.Hub.RateLimit("config.json", times: 2, retryAfter);

        (await context.CreateAsync()).Dispose();

        Assert.Equal(3, context.Hub.RequestsFor("config.json").Count);
        Assert.Equal([TimeSpan.FromSeconds(expectedSeconds), TimeSpan.FromSeconds(expectedSeconds)], context.Time.Waits.ToArray());
    }

    [Fact]
    public async Task CreateAsync_RateLimitedWithTheHubsRateLimitHeader_WaitsForTheWindowToReset()
    {
        using var context = new HubTestContext();
        context.Hub.RateLimitWindow("config.json", times: 2, resetSeconds: 42);

        (await context.CreateAsync()).Dispose();

        Assert.Equal(3, context.Hub.RequestsFor("config.json").Count);
        Assert.Equal([TimeSpan.FromSeconds(43), TimeSpan.FromSeconds(43)], context.Time.Waits.ToArray());
    }

    [Fact]
    public async Task CreateAsync_UnavailableWithRetryAfterThenServed_WaitsRetryAfter()
    {
        using var context = new HubTestContext();
        context.Hub.Unavailable("config.json", times: 2, "9");

        (await context.CreateAsync()).Dispose();

        Assert.Equal(3, context.Hub.RequestsFor("config.json").Count);
        Assert.Equal([TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(9)], context.Time.Waits.ToArray());
    }

    [Fact]
    public async Task CreateAsync_UnavailableEveryTime_ReportsTheStatusNotARateLimit()
    {
        using var context = new HubTestContext();
        context.Hub.Unavailable("config.json", times: int.MaxValue, "2");

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(4, context.Hub.RequestsFor("config.json").Count);
        Assert.DoesNotContain("higher limit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_RateLimitedWithHttpDate_WaitsUntilThatDate()
    {
        using var context = new HubTestContext();
        context.Hub.RateLimit("config.json", times: 1, DateTimeOffset.UtcNow.AddSeconds(30).ToString("R", System.Globalization.CultureInfo.InvariantCulture));

        (await context.CreateAsync()).Dispose();

        TimeSpan wait = Assert.Single(context.Time.Waits);
        Assert.InRange(wait, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(31));
    }

    [Fact]
    public async Task CreateAsync_RateLimitedEveryTime_SaysATokenRaisesTheLimit()
    {
        using var context = new HubTestContext();
        context.Hub.RateLimit("config.json", times: int.MaxValue, "5");

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal(4, context.Hub.RequestsFor("config.json").Count);
        Assert.Contains("429", ex.Message, StringComparison.Ordinal);
        Assert.Contains("a token get a higher limit: set HF_TOKEN", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sentencepiece.bpe.model", "X-Linked-Etag")]
    [InlineData("model.onnx", "x-goog-hash")]
    public async Task CreateAsync_BytesDifferFromTheStatedHash_DeletesTheFileAndFails(string file, string header)
    {
        using var context = new HubTestContext();
        context.Hub.CorruptCdn = true;
        context.Hub.CorruptBucket = true;
        if (file == "model.onnx")
        {
            context.Hub.CorruptCdn = false;
        }

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => context.CreateAsync());

        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.Contains(header, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(context.CachedFile(file)));
        Assert.False(File.Exists(context.CachedFile(file) + ".partial"));
        ModelManifest? manifest = ModelManifest.Read(context.ModelFolder);
        Assert.False(manifest is not null && manifest.Files.ContainsKey(file), "a damaged file must not be recorded");
    }

    [Fact]
    public async Task CreateAsync_HfHubDownloadTimeout_IsTheStallLimit()
    {
        using var context = new HubTestContext();
        context.MaxAttempts = 1;
        context.Variables[HubEnvironment.DownloadTimeoutVariable] = "0.25";
        context.Hub.Stall("model.onnx", 1000);

        var ex = await Assert.ThrowsAsync<IOException>(() => context.CreateAsync());

        Assert.Contains("no data for 0.25 s after 1000 bytes (HF_HUB_DOWNLOAD_TIMEOUT)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_HfHubEtagTimeout_IsTheResponseLimit()
    {
        using var context = new HubTestContext();
        context.MaxAttempts = 1;
        context.Variables[HubEnvironment.EtagTimeoutVariable] = "0.25";
        context.Hub.HeaderDelay = TimeSpan.FromSeconds(30);

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => context.CreateAsync());

        Assert.Contains("no response in 0.25 s (HF_HUB_ETAG_TIMEOUT)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_ServerErrorEveryTime_RetriesThenReportsTheStatus()
    {
        using var context = new HubTestContext();
        context.Hub.Refuse("modules.json", HttpStatusCode.ServiceUnavailable);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(4, context.Hub.RequestsFor("modules.json").Count);
        Assert.Contains("modules.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_ServerUnreachable_SaysHowToWorkOffline()
    {
        using var context = new HubTestContext();
        context.MaxAttempts = 2;
        context.Hub.Stop();

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Null(ex.StatusCode);
        Assert.Contains("Could not download", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HF_HUB_OFFLINE=1", ex.Message, StringComparison.Ordinal);
        Assert.Contains(context.ModelFolder, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_ServerNeverAnswers_SaysHowToWorkOfflineAndKeepsNothing()
    {
        using var context = new HubTestContext();
        context.MaxAttempts = 2;
        context.StallTimeout = TimeSpan.FromMilliseconds(300);
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new System.Collections.Concurrent.ConcurrentBag<System.Net.Sockets.TcpClient>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                held.Add(await silent.AcceptTcpClientAsync(TestContext.Current.CancellationToken));
            }
        }, TestContext.Current.CancellationToken);
        context.Variables[HubEnvironment.EndpointVariable] = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/hub";

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => context.CreateAsync());

        Assert.Contains("Could not download", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no response in 0.3 s", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HF_HUB_OFFLINE=1", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".partial", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(context.ModelFolder, "*.partial", SearchOption.AllDirectories));
        foreach (System.Net.Sockets.TcpClient client in held)
        {
            client.Dispose();
        }
    }

    [Theory]
    [InlineData("hf_ｓecret")]
    [InlineData("hf_sec ret")]
    public async Task CreateAsync_TokenAHeaderCannotCarry_SaysHfTokenAndSendsNothing(string token)
    {
        using var context = new HubTestContext();
        context.Variables[HubEnvironment.TokenVariable] = token;

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => context.CreateAsync());

        Assert.Equal(HubEnvironment.TokenVariable, ex.ParamName);
        Assert.StartsWith("HF_TOKEN holds a character that an HTTP header cannot carry", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, ex.ToString(), StringComparison.Ordinal);
        Assert.Empty(context.Hub.Requests);
    }

    [Fact]
    public async Task CreateAsync_TokenWithALineBreak_IsSentWithoutIt()
    {
        using var context = new HubTestContext();
        context.Variables[HubEnvironment.TokenVariable] = Token + "\r\n";

        (await context.CreateAsync()).Dispose();

        Assert.All(context.Hub.Requests.Where(r => r.Path.StartsWith("/hub/", StringComparison.Ordinal)), r => Assert.Equal($"Bearer {Token}", r.Authorization));
    }

    [Fact]
    public async Task CreateAsync_DiskFull_SaysSoAndNamesGlucoseCache()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists("/dev/full"), "needs Linux's /dev/full, which fails every write with ENOSPC");
        using var context = new HubTestContext();
        Directory.CreateDirectory(context.ModelFolder);
        string partial = context.CachedFile("model.onnx") + ".partial";
        File.CreateSymbolicLink(partial, "/dev/full");
        File.WriteAllText(partial + ".json", JsonSerializer.Serialize(new { url = new Uri(context.Hub.OnnxUrl).AbsoluteUri }));

        var ex = await Assert.ThrowsAsync<IOException>(() => context.CreateAsync());

        Assert.StartsWith("The disk is full: model.onnx needs", ex.Message, StringComparison.Ordinal);
        Assert.Contains(context.CacheRoot, ex.Message, StringComparison.Ordinal);
        Assert.Contains(HubEnvironment.CacheVariable, ex.Message, StringComparison.Ordinal);
        Assert.True(DiskErrors.IsDiskFull(Assert.IsAssignableFrom<IOException>(ex.InnerException)));
    }

    [Theory]
    [InlineData(28, true)]
    [InlineData(122, true)]
    [InlineData(5, false)]
    [InlineData(13, false)]
    public void IsDiskFull_UnixErrorCodes_RecognizesNoSpaceAndQuota(int errno, bool expected)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Linux error numbers");

        Assert.Equal(expected, DiskErrors.IsDiskFull(errno));
    }

    [Fact]
    public async Task DownloadAsync_CacheLockedByAnotherProcess_TimesOutNamingTheLockFile()
    {
        using var context = new HubTestContext();
        Directory.CreateDirectory(context.ModelFolder);
        string lockPath = context.ModelFolder + ".lock";
        using var held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        using var client = new HttpClient();
        var environment = new HubEnvironment(name => context.Variables.GetValueOrDefault(name), client)
        {
            LockTimeout = TimeSpan.FromMilliseconds(200),
            LockPollInterval = TimeSpan.FromMilliseconds(20),
        };

        var ex = await Assert.ThrowsAsync<IOException>(() => GlucoseModelSource.Default.DownloadCoreAsync(environment, null, TestContext.Current.CancellationToken));

        Assert.Contains(lockPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("another process", ex.Message, StringComparison.Ordinal);
        Assert.Empty(context.Hub.Requests);
    }

    [Fact]
    public async Task CreateAsync_LockFileCannotBeWritten_SaysSoAndNamesGlucoseCache()
    {
        // Where the lock file should go there is a folder: the file cannot be opened (as in a read-only cache).
        using var context = new HubTestContext();
        Directory.CreateDirectory(context.ModelFolder + ".lock");

        var ex = await Assert.ThrowsAsync<IOException>(() => context.CreateAsync());

        Assert.StartsWith($"Cannot write to the model cache '{context.ModelFolder}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(HubEnvironment.CacheVariable, ex.Message, StringComparison.Ordinal);
        Assert.IsType<UnauthorizedAccessException>(ex.InnerException);
        Assert.Empty(context.Hub.Requests);
    }
}
