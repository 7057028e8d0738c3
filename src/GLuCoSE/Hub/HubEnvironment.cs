using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Reflection;
using System.Threading;

namespace GLuCoSE.Hub;

/// <summary>
/// What a download reads from the outside world: environment variables, the HTTP client and the timings. The process
/// uses <see cref="Process"/>; tests pass their own so that they never touch the process-wide environment.
/// </summary>
internal sealed class HubEnvironment
{
    public const string EndpointVariable = "HF_ENDPOINT";
    public const string TokenVariable = "HF_TOKEN";
    public const string OldTokenVariable = "HUGGING_FACE_HUB_TOKEN";
    public const string TokenPathVariable = "HF_TOKEN_PATH";
    public const string HomeVariable = "HF_HOME";
    public const string DownloadTimeoutVariable = "HF_HUB_DOWNLOAD_TIMEOUT";
    public const string EtagTimeoutVariable = "HF_HUB_ETAG_TIMEOUT";
    public const string OfflineVariable = "HF_HUB_OFFLINE";
    public const string TransformersOfflineVariable = "TRANSFORMERS_OFFLINE";
    public const string CacheVariable = "GLUCOSE_CACHE";
    public const string OnnxUrlVariable = "GLUCOSE_ONNX_URL";

    private static readonly Lazy<HttpClient> SharedClient = new(CreateHttpClient, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<HubEnvironment> ProcessEnvironment = new(
        () => new HubEnvironment(Environment.GetEnvironmentVariable, SharedClient.Value),
        LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Func<string, string?> _variables;

    public HubEnvironment(Func<string, string?> variables, HttpClient httpClient)
    {
        _variables = variables;
        HttpClient = httpClient;
    }

    /// <summary>Gets the environment of this process, with one shared HTTP client.</summary>
    public static HubEnvironment Process => ProcessEnvironment.Value;

    public HttpClient HttpClient { get; }

    /// <summary>Gets how many times one file is tried before an interruption or a server error is final.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Gets the pause before retry n (times n).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets the longest wait for a 429's <c>Retry-After</c> (seconds or an HTTP date): a longer one is cut to this, so a
    /// rate-limited download gives up after about <see cref="MaxAttempts"/> minus one such waits.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the clock that retries wait on (tests pass one that records the waits instead of sleeping).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Gets how long a response may send nothing before it counts as interrupted.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets how long a response may send no byte: <c>HF_HUB_DOWNLOAD_TIMEOUT</c> (seconds) when set, else <see cref="StallTimeout"/>.</summary>
    public TimeSpan ReadTimeout => Seconds(DownloadTimeoutVariable) ?? StallTimeout;

    /// <summary>
    /// Gets how long to wait for a response's headers: <c>HF_HUB_ETAG_TIMEOUT</c> (seconds; huggingface_hub's timeout for
    /// its metadata request, which the headers of our one request replace) when set, else <see cref="StallTimeout"/>.
    /// </summary>
    public TimeSpan ResponseTimeout => Seconds(EtagTimeoutVariable) ?? StallTimeout;

    /// <summary>Gets how long to wait for another process that downloads the same model.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);

    public TimeSpan LockPollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Returns the variable's value, or null when it is unset or blank.</summary>
    public string? Get(string name)
    {
        string? value = _variables(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>Returns a positive number of seconds from the variable, or null when it is unset or not one.</summary>
    public TimeSpan? Seconds(string name) =>
        double.TryParse(Get(name), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds < 1e6
            ? TimeSpan.FromSeconds(seconds)
            : null;

    /// <summary>Returns whether the variable is set to a true value, as huggingface_hub reads its flags.</summary>
    public bool IsTrue(string name) =>
        Get(name) is string value
        && (value == "1"
            || string.Equals(value, "true", StringComparison.OrdinalIgnoreCase)
            || string.Equals(value, "yes", StringComparison.OrdinalIgnoreCase)
            || string.Equals(value, "on", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Gets whether the environment forbids the network: <c>HF_HUB_OFFLINE</c>, or when it is unset
    /// <c>TRANSFORMERS_OFFLINE</c>, is true (huggingface_hub reads the pair the same way).
    /// </summary>
    public bool IsOffline => IsTrue(Get(OfflineVariable) is null ? TransformersOfflineVariable : OfflineVariable);

    /// <summary>
    /// Returns the hub token and where it came from, in huggingface_hub's order: <c>HF_TOKEN</c>, then
    /// <c>HUGGING_FACE_HUB_TOKEN</c> (its old name), then the file at <c>HF_TOKEN_PATH</c>, whose default is
    /// <c>$HF_HOME/token</c> (what <c>hf auth login</c> writes; <c>HF_HOME</c> defaults to
    /// <c>$XDG_CACHE_HOME/huggingface</c>, else <c>~/.cache/huggingface</c>, on every platform).
    /// </summary>
    public (string? Token, string Source) ReadToken()
    {
        foreach (string name in new[] { TokenVariable, OldTokenVariable })
        {
            if (CleanToken(Get(name)) is string token)
            {
                return (token, name);
            }
        }

        string path = TokenPath();
        try
        {
            return (CleanToken(File.ReadAllText(path)), $"the token file '{path}'");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No file (or none readable) is no token, as for huggingface_hub.
            return (null, TokenVariable);
        }
    }

    /// <summary>Returns <c>glucose</c> under the user's cache folder, by the platform's convention.</summary>
    public string DefaultCacheRoot()
    {
        if (OperatingSystem.IsWindows())
        {
            string local = Get("LOCALAPPDATA") ?? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return Path.Combine(local, "glucose", "cache");
        }

        string home = Get("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Caches", "glucose");
        }

        return Path.Combine(Get("XDG_CACHE_HOME") ?? Path.Combine(home, ".cache"), "glucose");
    }

    /// <summary>Drops line breaks and surrounding whitespace, as huggingface_hub does; an empty token is no token.</summary>
    private static string? CleanToken(string? token)
    {
        string? cleaned = token?.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim();
        return string.IsNullOrEmpty(cleaned) ? null : cleaned;
    }

    private string TokenPath()
    {
        string home = Get("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (Get(TokenPathVariable) is string path)
        {
            return ExpandHome(path, home);
        }

        string hfHome = Get(HomeVariable) is string set ? ExpandHome(set, home) : Path.Combine(Get("XDG_CACHE_HOME") ?? Path.Combine(home, ".cache"), "huggingface");
        return Path.Combine(hfHome, "token");
    }

    /// <summary>Replaces a leading <c>~</c> (alone, or before a separator) with the home folder, as Python's <c>expanduser</c> does.</summary>
    private static string ExpandHome(string path, string home) =>
        path == "~" ? home
        : path.Length > 1 && path[0] == '~' && (path[1] == '/' || path[1] == Path.DirectorySeparatorChar) ? Path.Combine(home, path[2..])
        : path;

    private static HttpClient CreateHttpClient()
    {
        // Bytes must arrive as stored: no decompression (sizes, hashes and Range offsets are of the raw file). The
        // whole-request timeout is off because a 440 MB file takes minutes; stalls are caught per read instead.
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            // Redirects are followed by FileDownloader, which keeps the token on same-host hops only.
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        string version = typeof(HubEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        client.DefaultRequestHeaders.UserAgent.ParseAdd($"GLuCoSE.NET/{(plus < 0 ? version : version[..plus])}");
        return client;
    }
}
