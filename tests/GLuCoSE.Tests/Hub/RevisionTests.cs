using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using GLuCoSE.Hub;
using Xunit;

namespace GLuCoSE.Tests.Hub;

/// <summary>
/// Branches and tags: resolved to a commit first (the hub's revision API), every file fetched at that commit into the
/// commit's folder, and the name kept as a pointer in <c>refs/</c>, as huggingface_hub does.
/// </summary>
public sealed class RevisionTests
{
    private const string First = "1111111111111111111111111111111111111111";
    private const string Second = "2222222222222222222222222222222222222222";
    private const string Token = "hf_test_branch_secret_42";

    private static readonly GlucoseModelSource Main = GlucoseModelSource.Default with { Revision = "main" };

    [Fact]
    public async Task DownloadAsync_BranchMovesDuringDownload_KeepsEveryFileOfTheFirstCommit()
    {
        using HubTestContext context = NewContext();
        context.Hub.SetBranch("main", First);
        context.Hub.MoveBranchAfterFirstFile("main", Second);

        string folder = await DownloadAsync(context, Main);

        Assert.All(GlucoseModelSource.DefaultFiles, file => Assert.Equal(context.Hub.ContentAt(First, file), File.ReadAllBytes(InFolder(folder, file))));
        Assert.Equal(FolderAt(context, Main, First), folder);
        Assert.Equal(First, File.ReadAllText(PointerPath(context, "main")));
        Assert.All(
            context.Hub.Requests.Where(r => r.Path.Contains("/resolve/", StringComparison.Ordinal)),
            r => Assert.Contains($"/resolve/{First}/", r.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadAsync_BranchMovedSinceLastDownload_DownloadsTheNewCommitIntoItsOwnFolderAndMovesThePointer()
    {
        using HubTestContext context = NewContext();
        context.Hub.SetBranch("main", First);
        string first = await DownloadAsync(context, Main);
        context.Hub.SetBranch("main", Second);

        string second = await DownloadAsync(context, Main);

        Assert.Equal(FolderAt(context, Main, Second), second);
        Assert.All(GlucoseModelSource.DefaultFiles, file => Assert.Equal(context.Hub.ContentAt(Second, file), File.ReadAllBytes(InFolder(second, file))));
        Assert.All(GlucoseModelSource.DefaultFiles, file => Assert.Equal(context.Hub.ContentAt(First, file), File.ReadAllBytes(InFolder(first, file))));
        Assert.Equal(Second, File.ReadAllText(PointerPath(context, "main")));
        Assert.Equal(second, ModelCache.LocalFolder(ResolvedSource.Resolve(Main, context.Environment)));
    }

    [Fact]
    public async Task DownloadAsync_BranchCachedAtTheCurrentCommit_OnlyLooksUpTheCommit()
    {
        using HubTestContext context = NewContext();
        context.Hub.SetBranch("main", First);
        string first = await DownloadAsync(context, Main);
        int requests = context.Hub.Requests.Count;

        string again = await DownloadAsync(context, Main);

        Assert.Equal(first, again);
        Assert.Equal(context.Hub.RevisionApiPath("main"), Assert.Single(context.Hub.Requests.Skip(requests)).Path);
    }

    [Fact]
    public async Task DownloadAsync_OfflineBranchWithPointer_UsesThePointersSnapshotWithoutRequests()
    {
        using HubTestContext context = NewContext();
        context.Hub.SetBranch("main", First);
        string first = await DownloadAsync(context, Main);
        context.Hub.SetBranch("main", Second);
        int requests = context.Hub.Requests.Count;
        context.Variables[HubEnvironment.OfflineVariable] = "1";

        string offline = await DownloadAsync(context, Main);

        Assert.Equal(first, offline);
        Assert.Equal(requests, context.Hub.Requests.Count);
    }

    [Fact]
    public async Task DownloadAsync_OfflineBranchWithoutPointer_SaysTheModelIsNotInTheCache()
    {
        using HubTestContext context = NewContext();
        context.Variables[HubEnvironment.OfflineVariable] = "1";

        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => DownloadAsync(context, Main));

        Assert.Contains("is not in the cache", ex.Message, StringComparison.Ordinal);
        // Online, a branch downloads into its commit's folder, not the branch's: the repository folder (with refs/) is what to copy.
        string repositoryFolder = Path.Combine(context.CacheRoot, "pkshatech--GLuCoSE-base-ja");
        Assert.Contains($"copy what /tmp/glucose-cache/pkshatech--GLuCoSE-base-ja holds (the commit's folder and refs/) into '{repositoryFolder}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("GlucoseModelSource.Parse(\"pkshatech/GLuCoSE-base-ja@main\")", ex.Message, StringComparison.Ordinal);
        Assert.Empty(context.Hub.Requests);
    }

    [Fact]
    public async Task DownloadAsync_CachedBranchAndHubUnreachable_UsesThePointersSnapshot()
    {
        using HubTestContext context = NewContext();
        context.Hub.SetBranch("main", First);
        string first = await DownloadAsync(context, Main);
        context.Hub.Stop();

        string again = await DownloadAsync(context, Main);

        Assert.Equal(first, again);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task DownloadAsync_CachedBranchAndHubFailing_UsesThePointersSnapshot(HttpStatusCode status)
    {
        using HubTestContext context = NewContext();
        context.Hub.SetBranch("main", First);
        string first = await DownloadAsync(context, Main);
        context.Hub.RefuseRevisionApi("main", status);

        string again = await DownloadAsync(context, Main);

        Assert.Equal(first, again);
        Assert.Equal(context.MaxAttempts, context.Hub.Requests.Count(r => r.Path == context.Hub.RevisionApiPath("main")) - 1);
    }

    [Fact]
    public async Task DownloadAsync_UnknownBranch_NamesTheRevision()
    {
        using HubTestContext context = NewContext();
        GlucoseModelSource source = Main with { Revision = "no-such-branch" };

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => DownloadAsync(context, source));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("RevisionNotFound", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{GlucoseModelSource.DefaultRepository}' has no revision 'no-such-branch'", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(PointerPath(context, "no-such-branch")));
    }

    [Fact]
    public async Task DownloadAsync_BranchWithToken_SendsTheTokenToTheRevisionApi()
    {
        using HubTestContext context = NewContext();
        context.Hub.SetBranch("main", First);
        context.Variables[HubEnvironment.TokenVariable] = Token;

        await DownloadAsync(context, Main);

        Assert.Equal($"Bearer {Token}", context.Hub.Requests.Single(r => r.Path == context.Hub.RevisionApiPath("main")).Authorization);
    }

    [Fact]
    public async Task DownloadAsync_BranchWithSlash_KeepsItsPointerInASubfolder()
    {
        using HubTestContext context = NewContext();
        context.Hub.SetBranch("feature/x", Second);
        GlucoseModelSource source = Main with { Revision = "feature/x" };

        string folder = await DownloadAsync(context, source);

        Assert.Equal(FolderAt(context, source, Second), folder);
        Assert.Equal(Second, File.ReadAllText(Path.Combine(context.CacheRoot, "pkshatech--GLuCoSE-base-ja", "refs", "feature", "x")));
        Assert.All(
            context.Hub.Requests.Where(r => r.Path.Contains("/resolve/", StringComparison.Ordinal)),
            r => Assert.Contains($"/resolve/{Second}/", r.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadAsync_PinnedCommit_MakesNoRevisionLookup()
    {
        using HubTestContext context = NewContext();

        await DownloadAsync(context, GlucoseModelSource.Default);

        Assert.DoesNotContain(context.Hub.Requests, r => r.Path.StartsWith("/hub/api/", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(context.CacheRoot, "pkshatech--GLuCoSE-base-ja", "refs")));
    }

    [Fact]
    public void LocalFolder_BranchNeverDownloaded_IsTheFolderNamedAfterTheBranch()
    {
        using HubTestContext context = NewContext();
        ResolvedSource resolved = ResolvedSource.Resolve(Main, context.Environment);

        Assert.Equal(resolved.Folder, ModelCache.LocalFolder(resolved));
        Assert.StartsWith("main", Path.GetFileName(resolved.Folder), StringComparison.Ordinal);
    }

    /// <summary>A hub with two commits besides the pinned one, each with files of its own (a marker appended).</summary>
    private static HubTestContext NewContext()
    {
        var context = new HubTestContext();
        context.Hub.AddCommit(First, (file, bytes) => [.. bytes, .. Encoding.ASCII.GetBytes("\n")]);
        context.Hub.AddCommit(Second, (file, bytes) => [.. bytes, .. Encoding.ASCII.GetBytes("\n\n")]);
        return context;
    }

    private static Task<string> DownloadAsync(HubTestContext context, GlucoseModelSource source) =>
        source.DownloadCoreAsync(context.Environment, progress: null, TestContext.Current.CancellationToken);

    private static string FolderAt(HubTestContext context, GlucoseModelSource source, string commit) =>
        ResolvedSource.Resolve(source with { Revision = commit }, context.Environment).Folder;

    private static string PointerPath(HubTestContext context, string revision) =>
        Path.Combine(context.CacheRoot, "pkshatech--GLuCoSE-base-ja", "refs", revision);

    private static string InFolder(string folder, string file) => Path.Combine(folder, file.Replace('/', Path.DirectorySeparatorChar));
}
