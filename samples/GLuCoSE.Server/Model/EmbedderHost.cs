using GLuCoSE.Server.Http;
using Microsoft.Extensions.AI;

namespace GLuCoSE.Server.Model;

/// <summary>
/// Holds the server's one <see cref="GlucoseEmbedder"/> (a DI singleton) once <see cref="ModelLoader"/> has loaded it.
/// Every request shares it: the embedder is thread-safe and micro-batches concurrent single texts itself.
/// </summary>
/// <remarks>
/// The container disposes the host, and with it the embedder, after the web server has finished its requests in
/// flight; a model that finishes loading after that is disposed at once.
/// </remarks>
internal sealed class EmbedderHost(GlucoseEmbedderOptions options) : IDisposable
{
    private readonly Lock _gate = new();
    private GlucoseEmbedder? _embedder;
    private bool _disposed;

    /// <summary>Gets the options the embedder was created with (its prompts, batch settings).</summary>
    public GlucoseEmbedderOptions Options { get; } = options;

    /// <summary>Gets the embedder, or null while the model loads.</summary>
    public GlucoseEmbedder? Embedder => Volatile.Read(ref _embedder);

    /// <summary>Gets the model id the API reports (the embedder's <see cref="EmbeddingGeneratorMetadata"/>); null while loading.</summary>
    public string? ModelId { get; private set; }

    /// <summary>The embedder; a 503 with Retry-After while the model is still loading.</summary>
    public GlucoseEmbedder Require() =>
        Embedder ?? throw new ApiException(ApiErrorKind.Loading, "The model is still loading; retry shortly (GET /health answers 200 once it is ready).");

    /// <summary>The prefix a prompt name (TEI's <c>prompt_name</c>) stands for; null picks the default prompt. A 400 for a name not configured.</summary>
    public string Prompt(string? promptName)
    {
        string? name = promptName ?? Options.DefaultPromptName;
        if (name is null)
        {
            return string.Empty;
        }

        if (Options.Prompts.TryGetValue(name, out string? prefix))
        {
            return prefix;
        }

        string configured = Options.Prompts.Count == 0 ? "none is configured" : "configured: " + string.Join(", ", Options.Prompts.Keys.Order(StringComparer.Ordinal));
        throw new ApiException(ApiErrorKind.InvalidRequest, $"'prompt_name' is {ApiErrors.Quote(name)}, which is not a prompt of this server ({configured}; {ServerOptions.Section}:Embedder:Prompts).", "prompt_name");
    }

    /// <summary>Makes a loaded embedder the server's; disposes it instead when the server is already shutting down.</summary>
    public void SetLoaded(GlucoseEmbedder embedder)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                ModelId = embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId;
                Volatile.Write(ref _embedder, embedder);
                return;
            }
        }

        embedder.Dispose();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _embedder?.Dispose();
    }
}
