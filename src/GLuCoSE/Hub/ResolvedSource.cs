using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace GLuCoSE.Hub;

/// <summary>A hub source with every default filled in from the environment: URLs, token, cache folder, offline flag.</summary>
internal sealed class ResolvedSource
{
    private static readonly Regex RevisionPattern = new("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // huggingface_hub's REGEX_COMMIT_HASH: anything else (a branch, a tag, an uppercase hash) is looked up first.
    private static readonly Regex CommitPattern = new("^[0-9a-f]{40}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private readonly string _folderSuffix;

    private ResolvedSource(
        string description,
        string repository,
        string revision,
        Uri endpoint,
        string cacheRoot,
        string folderSuffix,
        bool offline,
        (string? Token, string Source) token,
        IReadOnlyList<RemoteFile> files,
        Uri? customOnnxUrl)
    {
        Description = description;
        Repository = repository;
        Revision = revision;
        Endpoint = endpoint;
        CacheRoot = cacheRoot;
        _folderSuffix = folderSuffix;
        RepositoryFolder = Path.Combine(cacheRoot, repository.Replace("/", "--", StringComparison.Ordinal));
        Folder = Path.Combine(RepositoryFolder, revision.Replace("/", "--", StringComparison.Ordinal) + folderSuffix);
        Offline = offline;
        Token = token.Token;
        TokenSource = token.Source;
        Files = files;
        CustomOnnxUrl = customOnnxUrl;
    }

    /// <summary>Gets <c>owner/name@revision</c>.</summary>
    public string Description { get; }

    public string Repository { get; }

    public string Revision { get; }

    public Uri Endpoint { get; }

    public string CacheRoot { get; }

    /// <summary>Gets the full path of the repository's folder in the cache: the revision folders and <c>refs/</c>.</summary>
    public string RepositoryFolder { get; }

    /// <summary>Gets the full path of this source's model folder in the cache.</summary>
    public string Folder { get; }

    /// <summary>Gets whether <see cref="Revision"/> is a commit hash; a branch or tag is resolved to one before a download.</summary>
    public bool IsCommit => IsCommitHash(Revision);

    /// <summary>
    /// Gets the file that holds the commit a branch or tag was last resolved to, as huggingface_hub's
    /// <c>refs/&lt;revision&gt;</c> does (a revision's '/' makes subfolders; <see cref="Resolve"/> allows no '..').
    /// </summary>
    public string PointerPath => Path.Combine(RepositoryFolder, "refs", Revision.Replace('/', Path.DirectorySeparatorChar));

    public bool Offline { get; }

    /// <summary>Gets the hub token; never put it in a message or a log.</summary>
    public string? Token { get; }

    /// <summary>Gets where the token came from (a variable's name, or the token file), for messages.</summary>
    public string TokenSource { get; }

    /// <summary>Gets the repository files first, then the ONNX graph (the big one) last.</summary>
    public IReadOnlyList<RemoteFile> Files { get; }

    /// <summary>Gets the ONNX URL when it is not the repository's usual one (it then has a cache folder of its own).</summary>
    public Uri? CustomOnnxUrl { get; }

    public static ResolvedSource Resolve(GlucoseModelSource source, HubEnvironment environment)
    {
        string repository = source.Repository
            ?? throw new ArgumentException("The source names neither a Repository nor a LocalDirectory; set one of them.", nameof(source));
        if (!GlucoseModelSource.IsRepositoryName(repository))
        {
            throw new ArgumentException($"Repository must be 'owner/name', such as '{GlucoseModelSource.DefaultRepository}'; found '{repository}'.", nameof(source));
        }

        string revision = source.EffectiveRevision;
        if (!RevisionPattern.IsMatch(revision ?? string.Empty) || revision!.Contains("..", StringComparison.Ordinal)
            || Array.Exists(revision.Split('/'), segment => segment == "."))
        {
            throw new ArgumentException($"Revision must be a commit hash, branch or tag, such as '{GlucoseModelSource.DefaultRevision}' or 'main'; found '{revision}'.", nameof(source));
        }

        string endpointText = source.Endpoint ?? environment.Get(HubEnvironment.EndpointVariable) ?? GlucoseModelSource.DefaultEndpoint;
        Uri endpoint = ParseHttpUrl(endpointText.TrimEnd('/'), source.Endpoint is null && environment.Get(HubEnvironment.EndpointVariable) is not null ? HubEnvironment.EndpointVariable : "Endpoint");

        var files = new List<RemoteFile>(source.Files.Count + 1);
        var seen = new HashSet<string>(StringComparer.Ordinal) { GlucoseModelSource.OnnxFileName };
        foreach (string path in source.Files)
        {
            if (!IsRelativePath(path))
            {
                throw new ArgumentException($"Files must hold relative paths inside the repository with '/' separators, such as '1_Pooling/config.json'; found '{path}'.", nameof(source));
            }

            if (!seen.Add(path))
            {
                throw new ArgumentException($"Files lists '{path}' twice (or names model.onnx, which comes from the ONNX URL); list each repository file once.", nameof(source));
            }

            files.Add(new RemoteFile(path, HubFileUrl(endpoint, repository, revision, path), OnHub: true));
        }

        // GLUCOSE_ONNX_URL stands for GLuCoSE-base-ja's graph: another repository's tokenizer never gets it.
        bool isDefaultRepository = string.Equals(repository, GlucoseModelSource.DefaultRepository, StringComparison.OrdinalIgnoreCase);
        string? onnxText = source.OnnxUrl ?? (isDefaultRepository ? environment.Get(HubEnvironment.OnnxUrlVariable) : null);
        string defaultOnnx = isDefaultRepository
            ? GlucoseModelSource.DefaultOnnxUrl
            : HubFileUrl(endpoint, repository, revision, "onnx/model.onnx").AbsoluteUri;
        Uri onnx = ParseHttpUrl(onnxText ?? defaultOnnx, source.OnnxUrl is null && onnxText is not null ? HubEnvironment.OnnxUrlVariable : "OnnxUrl");
        string endpointPrefix = endpoint.AbsoluteUri.TrimEnd('/') + "/";
        files.Add(new RemoteFile(GlucoseModelSource.OnnxFileName, onnx, onnx.AbsoluteUri.StartsWith(endpointPrefix, StringComparison.Ordinal)));

        string cacheRoot = Path.GetFullPath(source.CacheDirectory ?? environment.Get(HubEnvironment.CacheVariable) ?? environment.DefaultCacheRoot());

        // One folder per repository and revision; a graph from another URL than the usual one gets a folder of its own.
        string folderSuffix = string.Empty;
        Uri? customOnnx = null;
        if (onnxText is not null && !string.Equals(onnx.AbsoluteUri, new Uri(defaultOnnx).AbsoluteUri, StringComparison.Ordinal))
        {
            customOnnx = onnx;
            folderSuffix = "-onnx-" + ShortHash(onnx.AbsoluteUri);
        }

        return new ResolvedSource(
            $"{repository}@{revision}",
            repository,
            revision,
            endpoint,
            cacheRoot,
            folderSuffix,
            source.Offline ?? environment.IsOffline,
            environment.ReadToken(),
            files,
            customOnnx);
    }

    /// <summary>
    /// Gets whether the token can travel in an HTTP header (printable ASCII only); checked before a download, so that
    /// a token pasted with a stray character is reported as such rather than as a network failure.
    /// </summary>
    public bool HasUsableToken => Token is null || Token.All(c => c is > ' ' and < (char)0x7F);

    /// <summary>
    /// Returns this source at <paramref name="commit"/>, which its branch or tag resolved to: every hub file is then
    /// fetched from <c>/resolve/&lt;commit&gt;/</c>, into the commit's folder, so that a branch that moves meanwhile
    /// cannot mix two commits. Other URLs (an ONNX graph off the hub) stay as they are.
    /// </summary>
    public ResolvedSource AtCommit(string commit)
    {
        string from = ResolvePrefix(Endpoint, Repository, Revision);
        string to = ResolvePrefix(Endpoint, Repository, commit);
        var files = new List<RemoteFile>(Files.Count);
        foreach (RemoteFile file in Files)
        {
            string url = file.Url.AbsoluteUri;
            files.Add(file.OnHub && url.StartsWith(from, StringComparison.Ordinal) ? file with { Url = new Uri(to + url[from.Length..]) } : file);
        }

        return new ResolvedSource(
            $"{Repository}@{commit}",
            Repository,
            commit,
            Endpoint,
            CacheRoot,
            _folderSuffix,
            Offline,
            (Token, TokenSource),
            files,
            CustomOnnxUrl);
    }

    /// <summary>Returns whether <paramref name="text"/> is a full commit hash (40 lowercase hex digits).</summary>
    public static bool IsCommitHash(string text) => CommitPattern.IsMatch(text);

    /// <summary>Returns the full path of a file of the model folder.</summary>
    public string PathOf(RemoteFile file) => Path.Combine(Folder, file.RelativePath.Replace('/', Path.DirectorySeparatorChar));

    private static string ResolvePrefix(Uri endpoint, string repository, string revision) =>
        $"{endpoint.AbsoluteUri.TrimEnd('/')}/{repository}/resolve/{Uri.EscapeDataString(revision)}/";

    private static Uri HubFileUrl(Uri endpoint, string repository, string revision, string path)
    {
        var builder = new StringBuilder(ResolvePrefix(endpoint, repository, revision).TrimEnd('/'));
        foreach (string segment in path.Split('/'))
        {
            builder.Append('/').Append(Uri.EscapeDataString(segment));
        }

        return new Uri(builder.ToString());
    }

    private static Uri ParseHttpUrl(string text, string name)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"{name} must be an absolute http or https URL; found '{text}'.", name);
        }

        return uri;
    }

    private static bool IsRelativePath(string path) =>
        !string.IsNullOrWhiteSpace(path) && !path.StartsWith('/') && !path.Contains('\\', StringComparison.Ordinal) && !Path.IsPathRooted(path)
        && !Array.Exists(path.Split('/'), segment => segment is "" or "." or "..");

    private static string ShortHash(string text)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Hex.Lower(hash.AsSpan(0, 6));
    }
}
