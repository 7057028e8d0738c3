using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using GLuCoSE.Model;

namespace GLuCoSE.Hub;

/// <summary>
/// The download errors, each saying what happened, to which file, and what to do. None of them may hold the hub
/// token: messages are built from URLs without user info and from the names of settings, never their secret values.
/// </summary>
internal static class HubErrors
{
    /// <summary>What turns offline mode on, for messages.</summary>
    private const string OfflineSwitches = $"{HubEnvironment.OfflineVariable}=1, {HubEnvironment.TransformersOfflineVariable}=1 or GlucoseModelSource.Offline";

    /// <summary>The hub's <c>X-Error-Message</c> for a disabled repository.</summary>
    private const string DisabledMessage = "Access to this resource is disabled.";

    /// <summary>
    /// The URL as messages and the manifest show it: without user info, and without its query, which for a signed link
    /// (the hub's CDN, a bucket's signed URL) is a credential until it expires; <c>?…</c> marks that one was there.
    /// </summary>
    public static string Redact(Uri url)
    {
        string shown = url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        return url.Query.Length > 1 ? shown + "?…" : shown;
    }

    /// <summary>
    /// A final refusal. <paramref name="fromHub"/> says whether the hub's host gave it (not the CDN or a bucket that a
    /// redirect led to, which never get the token); <paramref name="errorCode"/> and <paramref name="errorMessage"/> are
    /// the hub's <c>X-Error-Code</c> and <c>X-Error-Message</c>, which name the cause as huggingface_hub reads them.
    /// </summary>
    public static HttpRequestException Refused(
        ResolvedSource source, RemoteFile file, HttpStatusCode status, string? reason, bool fromHub, Uri answeredBy, string? errorCode = null, string? errorMessage = null)
    {
        string url = Redact(file.Url);
        string answer = $"{(int)status} {reason ?? status.ToString()}";
        string? stated = errorCode is null ? errorMessage?.TrimEnd('.') : errorMessage is null ? errorCode : $"{errorCode}: {errorMessage.TrimEnd('.')}";
        string said = stated is null ? string.Empty : $" ({stated})";
        string repositoryPage = $"{Redact(source.Endpoint).TrimEnd('/')}/{source.Repository}";
        string setToken = "create an access token with read access (https://huggingface.co/settings/tokens) and set the environment " +
            $"variable {HubEnvironment.TokenVariable} to it (or log in with 'hf auth login', which writes {HubEnvironment.HomeVariable}/token)";
        bool isAuth = status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
        string message = (status, errorCode) switch
        {
            // The hub names a disabled repository by this message alone (no X-Error-Code), as huggingface_hub reads it.
            (_, null) when fromHub && errorMessage == DisabledMessage =>
                $"The hub answered {answer}{said} for {url}: '{source.Repository}' is disabled on the hub (by its owner or by " +
                "Hugging Face), so none of its files can be downloaded, with or without a token. Use another repository " +
                "(GlucoseModelSource.Repository), or load a copy of the model you already have (GlucoseModelSource.LocalDirectory).",
            (_, "GatedRepo") when fromHub => source.Token is null
                ? $"The hub answered {answer}{said} for {url}: '{source.Repository}' is a gated repository. Log in at " +
                  $"{repositoryPage}, accept its terms, then {setToken}."
                : $"The hub answered {answer}{said} for {url}: '{source.Repository}' is a gated repository and the account of the " +
                  $"token ({source.TokenSource}) has not been granted access. Accept its terms at {repositoryPage} with that account " +
                  "(some repositories also wait for the owner's approval), then run again.",
            (_, "RevisionNotFound") when fromHub =>
                $"The hub answered {answer}{said} for {url}: '{source.Repository}' has no revision '{source.Revision}'. Check " +
                "GlucoseModelSource.Revision (a commit hash, branch or tag that exists in the repository).",
            (_, "EntryNotFound") when fromHub =>
                $"The hub answered {answer}{said} for {url}: the file '{file.RelativePath}' is not in '{source.Repository}' at " +
                $"revision '{source.Revision}'. Check GlucoseModelSource.Files (or OnnxUrl), and the files listed at {repositoryPage}/tree/{source.Revision}.",
            (_, "RepoNotFound") or (HttpStatusCode.Unauthorized, _) when fromHub && source.Token is null =>
                $"The hub answered {answer}{said} for {url}: the repository '{source.Repository}' does not exist (check the " +
                "spelling of GlucoseModelSource.Repository, 'owner/name'), or it is private or gated and needs a token: the hub " +
                $"answers the same to a request without a token. If it is private or gated, accept its terms on the hub if it has any, then {setToken}.",
            (_, "RepoNotFound") when fromHub =>
                $"The hub answered {answer}{said} for {url}: the repository '{source.Repository}' does not exist (check the spelling " +
                $"of GlucoseModelSource.Repository), or the token ({source.TokenSource}) has no access to it (a private repository " +
                "of another account or organization). Check both at https://huggingface.co/settings/tokens.",
            _ when isAuth && fromHub && source.Token is not null =>
                $"The hub answered {answer}{said} for {url} although a token is set ({source.TokenSource}): the token is invalid, expired, or " +
                $"has no read access to '{source.Repository}' (gated repositories also need their terms accepted). Check the " +
                "token at https://huggingface.co/settings/tokens.",
            _ when isAuth && fromHub =>
                $"The hub answered {answer}{said} for {url}: the repository '{source.Repository}' is private or gated. Accept its terms " +
                $"on the hub if it has any, then {setToken}.",
            _ when isAuth && file.OnHub =>
                $"The file server {Redact(answeredBy)}, where the hub sent the download of {url}, answered {answer}. It never gets " +
                $"the hub token, so {HubEnvironment.TokenVariable} is not the cause: its signed link may have expired, or a proxy or " +
                "firewall blocks that host. Run again; if it persists, check access to that host.",
            _ when isAuth =>
                $"The server answered {answer} for the ONNX graph at {url}. {HubEnvironment.TokenVariable} is only sent to the hub " +
                $"({Redact(source.Endpoint)}), not to other hosts; give a URL that needs no credentials in GlucoseModelSource.OnnxUrl " +
                $"or {HubEnvironment.OnnxUrlVariable}, or put model.onnx into '{source.Folder}' by hand (see {ModelFolder.DocsUrl}).",
            (HttpStatusCode.NotFound, _) when file.OnHub && file.RelativePath != GlucoseModelSource.OnnxFileName =>
                $"Not found (404){said}: {url}. Check the repository '{source.Repository}', the revision '{source.Revision}' and the " +
                $"file '{file.RelativePath}' (GlucoseModelSource.Repository, Revision and Files). With a token that has no access " +
                "to a private repository, the hub also answers 404; without a token it answers 401.",
            (HttpStatusCode.NotFound, _) =>
                $"Not found (404): the ONNX graph at {url}. Check GlucoseModelSource.OnnxUrl or {HubEnvironment.OnnxUrlVariable} " +
                $"(default {GlucoseModelSource.DefaultOnnxUrl}), or export the graph yourself with models/export_onnx.py.",
            _ => $"The server answered {answer}{said} for {url}; try again later, or check the URL.",
        };
        return new HttpRequestException(message, inner: null, status);
    }

    /// <summary>The revision API answered a plain 404: a server without that API (a mirror of files), or no such revision.</summary>
    public static HttpRequestException NoRevisionApi(ResolvedSource source, Uri url) =>
        new(
            $"Not found (404): {Redact(url)}, the lookup of the commit that revision '{source.Revision}' of '{source.Repository}' " +
            "names. A branch or tag is resolved to its commit before any file is fetched, so that a branch that moves " +
            $"meanwhile cannot mix two commits. Either '{source.Repository}' has no revision '{source.Revision}' (check " +
            $"GlucoseModelSource.Revision), or the server ({HubEnvironment.EndpointVariable}, now {Redact(source.Endpoint)}) " +
            "serves files but not the hub's revision API: pin a commit hash (40 hex digits), which needs no lookup.",
            inner: null,
            HttpStatusCode.NotFound);

    /// <summary>The revision API answered without a commit hash in <c>sha</c>.</summary>
    public static InvalidDataException NoCommitInAnswer(ResolvedSource source, Uri url, string? found) =>
        new(
            $"The hub's answer from {Redact(url)} holds no commit hash for revision '{source.Revision}' (a 'sha' of 40 hex " +
            $"digits; found {(found is null ? "none" : $"'{found}'")}). Check the hub address ({HubEnvironment.EndpointVariable}, " +
            $"now {Redact(source.Endpoint)}), or pin a commit hash, which needs no lookup.");

    /// <summary>The downloaded bytes are not the ones the server stated (size or hash); the file was deleted.</summary>
    public static InvalidDataException Corrupted(ResolvedSource source, RemoteFile file, Uri answeredBy, string problem) =>
        new(
            $"The download of {file.RelativePath} for {source.Description} from {Redact(answeredBy)} is damaged: {problem}. The file " +
            "was deleted and not recorded in the cache. Run again; if it happens again, a proxy or antivirus is altering the " +
            "download (try another network), or the file changed on the server while it was sent.");

    /// <summary>The bytes came compressed although <c>Accept-Encoding: identity</c> was sent.</summary>
    public static IOException Encoded(RemoteFile file, Uri answeredBy, string encoding) =>
        new(
            $"{Redact(answeredBy)} sent {file.RelativePath} with Content-Encoding '{encoding}' although the download asked for the " +
            "file as stored (Accept-Encoding: identity); compressed bytes cannot be stored as the file. A proxy between this " +
            "machine and the server compresses downloads: exempt that host from compression, or try another network.");

    /// <summary>A web page instead of the file: what a captive portal or a filtering proxy sends.</summary>
    public static IOException WebPage(RemoteFile file, Uri answeredBy) =>
        new(
            $"{Redact(answeredBy)} answered {file.RelativePath} with a web page (Content-Type text/html), not the file; nothing was " +
            "stored. A captive portal (a network that wants a sign-in first) or a filtering proxy intercepted the download: sign " +
            "in to the network in a browser, or exempt the host from the proxy, then run again.");

    /// <summary>Still 429 after every try: when to run again, and that a token raises the hub's limit.</summary>
    public static HttpRequestException RateLimited(ResolvedSource source, RemoteFile file, int attempts, TimeSpan? retryAfter, Uri answeredBy)
    {
        string wait = retryAfter is TimeSpan asked && asked > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"it asks to wait {Math.Ceiling(asked.TotalSeconds):0} s (RateLimit or Retry-After)")
            : "the hub counts requests in 5-minute windows";
        string token = source.Token is null
            ? $" Requests with a token get a higher limit: set {HubEnvironment.TokenVariable} (https://huggingface.co/settings/tokens)."
            : $" The limit is per account (the token from {source.TokenSource}); a paid plan raises it.";
        return new HttpRequestException(
            $"The server {Redact(answeredBy)} answered 429 Too Many Requests (rate limit) for {Redact(file.Url)} {attempts} times; {wait}. " +
            $"Run again after a few minutes: finished files are kept.{token}",
            inner: null,
            HttpStatusCode.TooManyRequests);
    }

    /// <summary>No byte arrived: the server could not be reached, or did not answer (<paramref name="last"/>).</summary>
    public static HttpRequestException Unreachable(ResolvedSource source, RemoteFile file, int attempts, Exception last) =>
        new(
            $"Could not download {Redact(file.Url)} ({attempts} {(attempts == 1 ? "try" : "tries")}): {last.Message.TrimEnd('.')}. Check the network connection, the proxy " +
            $"(HTTPS_PROXY) and the hub address ({HubEnvironment.EndpointVariable}, now {Redact(source.Endpoint)}). To run from the " +
            $"cache only, set {HubEnvironment.OfflineVariable}=1; the cache folder '{source.Folder}' must then hold the model " +
            $"(see {ModelFolder.DocsUrl}).",
            last,
            (last as HttpRequestException)?.StatusCode);

    /// <summary>
    /// The token cannot be sent: it holds a character an HTTP header cannot carry. Never shows the token. The
    /// exception's parameter is the environment variable, as for a bad <c>GLUCOSE_ONNX_URL</c>.
    /// </summary>
#pragma warning disable CA2208 // The setting at fault is an environment variable, not a parameter of this method.
    public static ArgumentException UnusableToken(ResolvedSource source) =>
        new(
            $"{HubEnvironment.TokenVariable} holds a character that an HTTP header cannot carry (a token is printable ASCII, " +
            $"such as 'hf_...'), so nothing was downloaded for {source.Description}. Check that the token was copied whole and " +
            $"nothing else with it (https://huggingface.co/settings/tokens), or unset {HubEnvironment.TokenVariable} for a public model.",
            HubEnvironment.TokenVariable);
#pragma warning restore CA2208

    public static IOException Interrupted(RemoteFile file, string partialPath, long bytesKept, int attempts, Exception last) =>
        new(
            $"Downloading {Redact(file.Url)} was interrupted {attempts} times (last: {last.Message}). The " +
            $"{bytesKept.ToString("N0", CultureInfo.InvariantCulture)} bytes received so far are kept in '{partialPath}'; run again to " +
            "resume from there.",
            last);

    public static IOException DiskFull(ResolvedSource source, RemoteFile file, string partialPath, long? needed, long? free, IOException? inner)
    {
        string size = needed is long n ? $"{Megabytes(n)} more" : "more space";
        string room = free is long f ? $" ({Megabytes(f)} free)" : string.Empty;
        return new IOException(
            $"The disk is full: {file.RelativePath} needs {size} in '{source.CacheRoot}'{room}. Free some space there, or set " +
            $"{HubEnvironment.CacheVariable} (or GlucoseModelSource.CacheDirectory) to a folder on a disk with room; what was " +
            $"downloaded so far is kept in '{partialPath}' and the download resumes from there.",
            inner);
    }

    public static IOException NotWritable(ResolvedSource source, Exception inner) =>
        new(
            $"Cannot write to the model cache '{source.Folder}': {inner.Message} Set {HubEnvironment.CacheVariable} (or " +
            "GlucoseModelSource.CacheDirectory) to a folder you can write to.",
            inner);

    /// <summary>
    /// Offline, and files are missing: how to fill a cache on a connected machine (the library's own
    /// <see cref="GlucoseModelSource.DownloadAsync"/>, which any app has, or the <c>glucose</c> tool), what to copy from
    /// it, and the layout to copy by hand.
    /// </summary>
    public static FileNotFoundException OfflineMissing(ResolvedSource source, IReadOnlyList<string> missing)
    {
        const string ConnectedCache = "/tmp/glucose-cache";
        string repositoryFolder = Path.GetFileName(source.RepositoryFolder);

        // A commit's folder has the same name on both machines. A branch or tag is downloaded into the folder of the
        // commit it names, with refs/ pointing at it, so the repository's whole folder is what to copy.
        string copy = source.IsCommit
            ? $"copy {ConnectedCache}/{RelativeFolder(source)} to '{source.Folder}'"
            : $"copy what {ConnectedCache}/{repositoryFolder} holds (the commit's folder and refs/) into '{source.RepositoryFolder}'";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"The GLuCoSE model {source.Description} is not in the cache, and offline mode ")
            .Append(CultureInfo.InvariantCulture, $"({OfflineSwitches}) forbids downloading it. ")
            .Append(CultureInfo.InvariantCulture, $"Missing from '{source.Folder}': {string.Join(", ", missing)}.").AppendLine()
            .AppendLine("Either:")
            .AppendLine("  1. on a connected machine, download it into an empty cache folder, from .NET:")
            .Append(CultureInfo.InvariantCulture, $"       {CSharpDownload(source, ConnectedCache)}").AppendLine()
            .AppendLine("     or with the glucose tool (the .NET tool package GLuCoSE.Cli):")
            .Append(CultureInfo.InvariantCulture, $"       {HubEnvironment.CacheVariable}={ConnectedCache} glucose download --source {CliSource(source)}").AppendLine()
            .Append(CultureInfo.InvariantCulture, $"     then {copy} on this machine; or").AppendLine()
            .Append(CultureInfo.InvariantCulture, $"  2. copy a model folder by hand into '{source.Folder}': ");
        var layout = new List<string>(source.Files.Count);
        foreach (RemoteFile file in source.Files)
        {
            layout.Add(file.RelativePath == GlucoseModelSource.OnnxFileName ? $"model.onnx (from {Redact(file.Url)})" : file.RelativePath);
        }

        text.Append(string.Join(", ", layout))
            .Append(CultureInfo.InvariantCulture, $" (the repository files from {Redact(source.Endpoint).TrimEnd('/')}/{source.Repository}/tree/{source.Revision}); ")
            .Append(CultureInfo.InvariantCulture, $"see {ModelFolder.DocsUrl}. A folder can also be loaded directly with GlucoseEmbedder.Create(folder).");
        return new FileNotFoundException(text.ToString(), Path.Combine(source.Folder, missing[0]));
    }

    /// <summary>Offline, and a cached file is not the one the manifest recorded.</summary>
    public static InvalidDataException OfflineDamaged(ResolvedSource source, IReadOnlyList<string> problems, Exception? inner = null) =>
        new(
            $"The cached GLuCoSE model {source.Description} in '{source.Folder}' is damaged: {string.Join("; ", problems)}. Offline " +
            $"mode ({OfflineSwitches}) forbids downloading it again. Connect and run " +
            $"again without offline mode (the damaged files are downloaded again), or copy an intact copy of the folder (with its " +
            $"{ModelManifest.FileName}) from another machine.",
            inner);

    /// <summary>The C# that downloads the source into <paramref name="cacheDirectory"/>, with the library's public API.</summary>
    private static string CSharpDownload(ResolvedSource source, string cacheDirectory)
    {
        bool isDefault = string.Equals(source.Repository, GlucoseModelSource.DefaultRepository, StringComparison.OrdinalIgnoreCase)
            && source.Revision == GlucoseModelSource.DefaultRevision;
        string parsed = isDefault ? "GlucoseModelSource.Default" : $"GlucoseModelSource.Parse(\"{source.Repository}@{source.Revision}\")";
        string onnx = source.CustomOnnxUrl is Uri url ? $"OnnxUrl = \"{Redact(url)}\", " : string.Empty;
        return $"await ({parsed} with {{ {onnx}CacheDirectory = \"{cacheDirectory}\" }}).DownloadAsync();";
    }

    private static string CliSource(ResolvedSource source)
    {
        string onnx = source.CustomOnnxUrl is Uri url ? $" --onnx-url {Redact(url)}" : string.Empty;
        return $"{source.Repository}@{source.Revision}{onnx}";
    }

    private static string RelativeFolder(ResolvedSource source) =>
        Path.GetRelativePath(source.CacheRoot, source.Folder).Replace(Path.DirectorySeparatorChar, '/');

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F1} MB");
}
