using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Hub;

namespace GLuCoSE;

/// <summary>
/// Where a GLuCoSE model comes from: a Hugging Face repository at a revision plus an ONNX graph at a URL, downloaded
/// once into a local cache, or a local model folder. <see cref="Default"/> is GLuCoSE-base-ja at a pinned revision.
/// </summary>
/// <remarks>
/// <para>A source is an immutable description; derive variants with <c>with</c>
/// (<c>GlucoseModelSource.Default with { CacheDirectory = "/data/models" }</c>). It is safe to share across threads,
/// and <see cref="DownloadAsync"/> may run for the same source from several threads or processes at once: a lock
/// file next to the cache folder lets one download while the others wait, then they all use its result.</para>
/// <para>Properties left null take their value from the environment when the source is used, following the
/// Hugging Face hub conventions: <c>HF_ENDPOINT</c> (the hub's address), <c>HF_TOKEN</c> (sent as a bearer token to
/// the hub only, never logged), <c>HF_HUB_OFFLINE=1</c> (use the cache, never the network), plus
/// <c>GLUCOSE_CACHE</c> (the cache folder) and <c>GLUCOSE_ONNX_URL</c> (the ONNX graph's URL).</para>
/// </remarks>
public sealed record GlucoseModelSource
{
    /// <summary>The Hugging Face repository of GLuCoSE-base-ja.</summary>
    internal const string DefaultRepository = "pkshatech/GLuCoSE-base-ja";

    /// <summary>
    /// The pinned commit of <see cref="DefaultRepository"/> whose tokenizer and config files <see cref="Default"/>
    /// downloads. A commit never changes, so a cached copy never goes stale.
    /// </summary>
    internal const string DefaultRevision = "b3cc38b45d7086f22b3f3cff6f3599a1b51c2e90";

    /// <summary>The public ONNX export of GLuCoSE-base-ja (by ailia), saved as <c>model.onnx</c>.</summary>
    internal const string DefaultOnnxUrl = "https://storage.googleapis.com/ailia-models/glucose/GLuCoSE-base-ja.onnx";

    /// <summary>The Hugging Face hub, used when neither <see cref="Endpoint"/> nor <c>HF_ENDPOINT</c> is set.</summary>
    internal const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>The name of the ONNX graph inside a downloaded model folder.</summary>
    internal const string OnnxFileName = "model.onnx";

    private static readonly Regex RepositoryPattern = new(
        "^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$",
        RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(1));

    /// <summary>
    /// Gets the files that a hub source downloads from the repository besides the ONNX graph: the tokenizer and the
    /// configuration files of a sentence-transformers LUKE model.
    /// </summary>
    internal static IReadOnlyList<string> DefaultFiles { get; } =
    [
        "sentencepiece.bpe.model",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "added_tokens.json",
        "entity_vocab.json",
        "config.json",
        "sentence_bert_config.json",
        "modules.json",
        "1_Pooling/config.json",
    ];

    /// <summary>
    /// Gets GLuCoSE-base-ja: the files of <c>pkshatech/GLuCoSE-base-ja</c> at a pinned commit and the public ONNX export
    /// (by ailia, <c>https://storage.googleapis.com/ailia-models/glucose/GLuCoSE-base-ja.onnx</c>).
    /// </summary>
    // After DefaultFiles: static initializers run in textual order, and a source copies DefaultFiles.
    public static GlucoseModelSource Default { get; } = new() { Revision = DefaultRevision };

    /// <summary>Gets the Hugging Face repository, <c>owner/name</c> (default <c>pkshatech/GLuCoSE-base-ja</c>); null for a local folder (<see cref="LocalDirectory"/>).</summary>
    public string? Repository { get; init; } = DefaultRepository;

    /// <summary>
    /// Gets the revision of <see cref="Repository"/>: a commit hash (best: no lookup, and the cache never goes stale), a
    /// branch or a tag. Null (the default): for <c>pkshatech/GLuCoSE-base-ja</c> the commit <see cref="Default"/> pins,
    /// for any other repository <c>main</c>. A branch or tag is resolved to its commit on every online use (one request
    /// to the hub); every file comes from that commit and is cached under it, so a branch that has moved is downloaded
    /// again, into a folder of its own, and offline mode uses the commit last downloaded.
    /// </summary>
    public string? Revision { get; init; }

    /// <summary>
    /// Gets the URL of the ONNX graph, saved as <c>model.onnx</c>. Null means, for <c>pkshatech/GLuCoSE-base-ja</c>,
    /// <c>GLUCOSE_ONNX_URL</c> when set, else the public export; for any other repository, its own
    /// <c>onnx/model.onnx</c> (<c>GLUCOSE_ONNX_URL</c> is GLuCoSE-base-ja's graph and never goes with another tokenizer).
    /// The hub token is sent with it only when it is on the hub (<see cref="Endpoint"/>).
    /// </summary>
    public string? OnnxUrl { get; init; }

    /// <summary>Gets the hub's base address. Null means <c>HF_ENDPOINT</c> when set, else <c>https://huggingface.co</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>
    /// Gets the folder that holds the cache (one subfolder per repository and revision). Null means
    /// <c>GLUCOSE_CACHE</c> when set, else the user's cache folder: <c>glucose</c> under <c>$XDG_CACHE_HOME</c> or
    /// <c>~/.cache</c> on Linux and under <c>~/Library/Caches</c> on macOS, <c>%LOCALAPPDATA%\glucose\cache</c> on Windows.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// Gets whether to use the cache only and never the network. Null means <c>HF_HUB_OFFLINE</c>
    /// (<c>1</c>, <c>true</c>, <c>yes</c> or <c>on</c> turn it on).
    /// </summary>
    public bool? Offline { get; init; }

    /// <summary>
    /// Gets the repository files to download besides the ONNX graph, as paths with '/' separators. Default: the tokenizer
    /// and the configuration files of a sentence-transformers LUKE model (<c>sentencepiece.bpe.model</c>,
    /// <c>config.json</c>, <c>sentence_bert_config.json</c>, ...).
    /// </summary>
    public IReadOnlyList<string> Files { get; init; } = DefaultFiles;

    /// <summary>Gets a local model folder to use as it is (nothing is downloaded), or null for a hub source.</summary>
    public string? LocalDirectory { get; init; }

    /// <summary>
    /// Gets the precision to load. <see cref="GlucosePrecision.Int8"/> (or <see cref="GlucosePrecision.Float16"/>) converts
    /// the downloaded graph once, in .NET (<see cref="GlucoseModelOptimizer"/>), into <c>model_int8.onnx</c>
    /// (<c>model_fp16.onnx</c>) beside it: in the cache, recorded in the
    /// cache's manifest with the SHA-256 of the graph it was made from; for a <see cref="LocalDirectory"/>, in that
    /// folder. Later loads use it while that graph is unchanged. Default: <see cref="GlucosePrecision.Float32"/>.
    /// </summary>
    public GlucosePrecision Precision { get; init; }

    /// <summary>Describes a model on the Hugging Face hub, checking the repository's name.</summary>
    internal static GlucoseModelSource FromHub(string repository, string? revision = null, string? onnxUrl = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (!IsRepositoryName(repository))
        {
            throw new ArgumentException(
                $"Repository must be 'owner/name' (letters, digits, '.', '_' and '-'), such as '{DefaultRepository}'; found '{repository}'.",
                nameof(repository));
        }

        // GLuCoSE-base-ja names its pinned commit, as Default does; other repositories leave it null (main).
        bool glucose = string.Equals(repository, DefaultRepository, StringComparison.OrdinalIgnoreCase);
        return new GlucoseModelSource { Repository = repository, Revision = revision ?? (glucose ? DefaultRevision : null), OnnxUrl = onnxUrl };
    }

    /// <summary>Describes a local model folder, used as it is.</summary>
    internal static GlucoseModelSource FromDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return new GlucoseModelSource { Repository = null, LocalDirectory = directory };
    }

    /// <summary>
    /// Reads a source as a command line gives it: an existing folder; or <c>owner/name</c> or
    /// <c>owner/name@revision</c> for the hub; or any other path as a folder.
    /// </summary>
    /// <param name="value">The text, such as <c>pkshatech/GLuCoSE-base-ja@main</c> or <c>./models/my-model</c>.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is empty, or its revision is empty.</exception>
    public static GlucoseModelSource Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("A model source must be a folder or 'owner/name[@revision]'; found an empty string.", nameof(value));
        }

        if (Directory.Exists(value))
        {
            return FromDirectory(value);
        }

        int at = value.IndexOf('@', StringComparison.Ordinal);
        string repository = at < 0 ? value : value[..at];
        if (!IsRepositoryName(repository))
        {
            return FromDirectory(value);
        }

        if (at >= 0 && at == value.Length - 1)
        {
            throw new ArgumentException($"'{value}' has an empty revision after '@'; write 'owner/name@revision' or just 'owner/name'.", nameof(value));
        }

        return FromHub(repository, at < 0 ? null : value[(at + 1)..]);
    }

    /// <summary>
    /// Makes sure the model is in its cache folder, complete and intact, and returns that folder; for a
    /// <see cref="LocalDirectory"/> source, returns the folder as it is. Files missing from the cache, or whose size or
    /// SHA-256 differs from the cache's manifest, are downloaded (an interrupted download resumes); offline, they are an
    /// error that says how to fill the cache. With a <see cref="Precision"/> other than Float32, the converted graph is
    /// also made in the folder (a <see cref="LocalDirectory"/> included); load it with
    /// <see cref="GlucoseEmbedderOptions.ModelFileName"/> = <c>model_int8.onnx</c> (<c>model_fp16.onnx</c>), since
    /// <see cref="GlucoseEmbedder.Create(string, GlucoseEmbedderOptions?)"/> alone loads <c>model.onnx</c>.
    /// </summary>
    /// <param name="progress">Receives the progress of each file downloaded; null for none.</param>
    /// <param name="cancellationToken">Cancels the download; what was downloaded so far is kept and resumed next time.</param>
    /// <returns>The full path of the model folder, ready for <see cref="GlucoseEmbedder.Create(string, GlucoseEmbedderOptions?)"/>.</returns>
    /// <exception cref="ArgumentException">A property of the source is not valid (the message names it).</exception>
    /// <exception cref="System.Net.Http.HttpRequestException">
    /// The server refused a file (401 or 403: set <c>HF_TOKEN</c>; 404: the URL is wrong), or could not be reached.
    /// </exception>
    /// <exception cref="DirectoryNotFoundException">The source's <see cref="LocalDirectory"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">Offline, and the cache does not hold the model.</exception>
    /// <exception cref="InvalidDataException">Offline, and a cached file does not match the cache's manifest.</exception>
    /// <exception cref="IOException">The download was interrupted too often, the disk is full, or the cache is locked too long.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task<string> DownloadAsync(IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        DownloadCoreAsync(HubEnvironment.Process, progress, cancellationToken);

    /// <summary>
    /// Returns the folder that <see cref="DownloadAsync"/> fills (or <see cref="LocalDirectory"/>), under the current
    /// environment, without touching the network. For a commit hash, that is the commit's folder, and the disk is not
    /// read. For a branch or tag, it is the folder of the commit that the cache's <c>refs/</c> pointer names (the one
    /// the last download found); before any download, the folder named after the branch or tag, where offline mode
    /// looks for a model copied by hand.
    /// </summary>
    /// <returns>The full path of the model folder.</returns>
    /// <exception cref="ArgumentException">A property of the source is not valid (the message names it).</exception>
    public string GetLocalFolder() =>
        LocalDirectory is not null ? Path.GetFullPath(LocalDirectory) : ModelCache.LocalFolder(ResolvedSource.Resolve(this, HubEnvironment.Process));

    /// <summary>Returns <c>owner/name@revision</c> (with the ONNX URL when it was set), or the local folder.</summary>
    /// <returns>A short description of the source.</returns>
    public override string ToString() =>
        LocalDirectory ?? (OnnxUrl is null ? $"{Repository}@{EffectiveRevision}" : $"{Repository}@{EffectiveRevision} (ONNX {OnnxUrl})");

    /// <summary>Gets <see cref="Revision"/>, or its default for <see cref="Repository"/> when it is null.</summary>
    internal string EffectiveRevision =>
        Revision ?? (string.Equals(Repository, DefaultRepository, StringComparison.OrdinalIgnoreCase) ? DefaultRevision : "main");

    internal static bool IsRepositoryName(string value) => RepositoryPattern.IsMatch(value);

    internal async Task<string> DownloadCoreAsync(HubEnvironment environment, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Enum.IsDefined(Precision))
        {
            throw new ArgumentException($"GlucoseModelSource.Precision must be Float32, Int8 or Float16; found {Precision}.");
        }

        string folder;
        if (LocalDirectory is not null)
        {
            folder = Path.GetFullPath(LocalDirectory);
            if (!Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException(
                    $"Model folder '{folder}' not found. Pass a folder that holds model.onnx and sentencepiece.bpe.model, or a hub source such as GlucoseModelSource.Default.");
            }
        }
        else
        {
            ResolvedSource resolved = ResolvedSource.Resolve(this, environment);
            folder = await ModelCache.EnsureAsync(resolved, environment, progress, cancellationToken).ConfigureAwait(false);
        }

        await ConvertedGraph.EnsureAsync(folder, Precision, isCache: LocalDirectory is null, environment, cancellationToken).ConfigureAwait(false);
        return folder;
    }
}
