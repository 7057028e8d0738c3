using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Hub;
using Xunit;

namespace GLuCoSE.Tests.Hub;

/// <summary>
/// One test's world: a fake hub on loopback, an empty cache folder, and the environment variables a download
/// reads, passed to the library directly (the process environment is never changed, so tests run in parallel).
/// </summary>
internal sealed class HubTestContext : IDisposable
{
    private readonly HttpClient _httpClient;

    /// <param name="onnxFile">The tiny model's graph the hub serves as the ONNX export.</param>
    public HubTestContext(string onnxFile = "model.onnx")
    {
        Hub = new FakeHub(onnxFile: onnxFile);
        CacheRoot = Path.Combine(Path.GetTempPath(), "glucose-cache-test-" + Guid.NewGuid().ToString("N"));
        Variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [HubEnvironment.EndpointVariable] = Hub.Endpoint,
            [HubEnvironment.OnnxUrlVariable] = Hub.OnnxUrl,
            [HubEnvironment.CacheVariable] = CacheRoot,

            // Never the token file of the user who runs the tests.
            [HubEnvironment.HomeVariable] = Path.Combine(CacheRoot, "hf-home"),
        };
        _httpClient = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public FakeHub Hub { get; }

    public string CacheRoot { get; }

    /// <summary>Gets the environment the library sees; tests add HF_TOKEN or HF_HUB_OFFLINE here.</summary>
    public Dictionary<string, string> Variables { get; }

    public int MaxAttempts { get; set; } = 4;

    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the clock of retries: it records each wait and returns at once.</summary>
    public RecordingTimeProvider Time { get; } = new();

    public HubEnvironment Environment => new(name => Variables.GetValueOrDefault(name), _httpClient)
    {
        Time = Time,
        MaxAttempts = MaxAttempts,
        RetryDelay = TimeSpan.FromMilliseconds(5),
        StallTimeout = StallTimeout,
        LockPollInterval = TimeSpan.FromMilliseconds(20),
        LockTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Gets the cache folder of the default source in this environment.</summary>
    public string ModelFolder => ResolvedSource.Resolve(GlucoseModelSource.Default, Environment).Folder;

    public string CachedFile(string file) => Path.Combine(ModelFolder, file.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Runs GlucoseEmbedder.CreateAsync in this world, canceled with the test.</summary>
    public Task<GlucoseEmbedder> CreateAsync(GlucoseModelSource? source = null, IProgress<DownloadProgress>? progress = null, GlucoseEmbedderOptions? options = null) =>
        CreateCancelableAsync(source, progress, TestContext.Current.CancellationToken, options);

    public Task<GlucoseEmbedder> CreateCancelableAsync(GlucoseModelSource? source, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken, GlucoseEmbedderOptions? options = null) =>
        GlucoseEmbedder.CreateCoreAsync(source, options, progress, Environment, cancellationToken);

    public void Dispose()
    {
        Hub.Dispose();
        _httpClient.Dispose();
        try
        {
            Directory.Delete(CacheRoot, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was cached.
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a test over.
        }
    }
}
