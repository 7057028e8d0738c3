using GLuCoSE.Tests.Infrastructure;

namespace GLuCoSE.Server.Tests.Infrastructure;

/// <summary>
/// One server with the default limits (and a "query" prompt) shared by a test class, and the in-process embedders its
/// answers are compared with: unit vectors (<see cref="GlucoseEmbedderOptions.NormalizeEmbeddings"/> = true) and raw.
/// </summary>
public sealed class DefaultServerFixture : IAsyncLifetime
{
    public const string QueryPrompt = "query: ";

    private RunningServer? _server;

    internal RunningServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public GlucoseEmbedder Normalized { get; } = GlucoseEmbedder.Create(TestPaths.TinyModel, WithPrompt(normalize: true));

    public GlucoseEmbedder Raw { get; } = GlucoseEmbedder.Create(TestPaths.TinyModel, WithPrompt(normalize: false));

    public async ValueTask InitializeAsync() =>
        _server = await RunningServer.StartAsync(["--Glucose:Embedder:Prompts:query", QueryPrompt]);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Normalized.Dispose();
        Raw.Dispose();
    }

    private static GlucoseEmbedderOptions WithPrompt(bool normalize)
    {
        var options = new GlucoseEmbedderOptions { NormalizeEmbeddings = normalize };
        options.Prompts["query"] = QueryPrompt;
        return options;
    }
}
