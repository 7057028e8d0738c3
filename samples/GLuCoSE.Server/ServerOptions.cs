namespace GLuCoSE.Server;

/// <summary>
/// The server's settings: the configuration section <c>Glucose</c> (appsettings.json, <c>Glucose__Model</c>-style
/// environment variables, <c>--Glucose:Model</c> arguments), plus <c>GLUCOSE_MODEL</c>, <c>GLUCOSE_API_KEY</c> and the
/// short switches (<c>--model</c>, ...) that <see cref="ServerApp"/> maps onto it. The embedder's own options are the
/// subsection <c>Glucose:Embedder</c>, bound onto <see cref="GlucoseEmbedderOptions"/>.
/// </summary>
internal sealed class ServerOptions
{
    public const string Section = "Glucose";

    /// <summary>Gets or sets a model folder to load; null: <see cref="Source"/>, else GLuCoSE-base-ja from the cache.</summary>
    public string? Model { get; set; }

    /// <summary>Gets or sets a model source for <see cref="GlucoseEmbedder.CreateAsync"/>: a folder or <c>owner/name[@revision]</c>.</summary>
    public string? Source { get; set; }

    /// <summary>Gets or sets the ONNX graph to download with a hub <see cref="Source"/> (or the default model).</summary>
    public string? OnnxUrl { get; set; }

    /// <summary>
    /// Gets or sets the precision to serve: <c>Float32</c> (default), <c>Int8</c> (about 3× faster on a CPU) or
    /// <c>Float16</c> (for CUDA); the graph is made once, in .NET, beside <c>model.onnx</c> (in the cache, or in the
    /// <see cref="Model"/> folder), as <see cref="GlucoseModelSource.Precision"/> does.
    /// </summary>
    public GlucosePrecision Precision { get; set; }

    /// <summary>Gets or sets the key every endpoint but <c>/health</c> requires as <c>Authorization: Bearer</c>; null: none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets how long a stopping server waits for requests in flight. Default 5 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the request limits.</summary>
    public ServerLimits Limits { get; set; } = new();

    /// <summary>Throws a <see cref="ServerConfigurationException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Model is not null && (Source is not null || OnnxUrl is not null))
        {
            throw new ServerConfigurationException(
                "Glucose:Model (--model, GLUCOSE_MODEL) names a folder to load; Glucose:Source and Glucose:OnnxUrl name a download: set one or the other.");
        }

        if (!Enum.IsDefined(Precision))
        {
            throw new ServerConfigurationException($"Glucose:Precision (--precision) must be Float32, Int8 or Float16; got {Precision}.");
        }

        if (ApiKey is { Length: 0 })
        {
            throw new ServerConfigurationException("Glucose:ApiKey (GLUCOSE_API_KEY) is set but empty; unset it to serve without a key.");
        }

        // A header carries visible ASCII only: a key with anything else could never be sent.
        if (ApiKey is not null && ApiKey.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            throw new ServerConfigurationException("Glucose:ApiKey (GLUCOSE_API_KEY) must be visible ASCII characters (no spaces), as an HTTP header can carry it.");
        }

        if (ShutdownTimeout < TimeSpan.Zero)
        {
            throw new ServerConfigurationException($"Glucose:ShutdownTimeout must not be negative; got {ShutdownTimeout}.");
        }

        Limits.Validate();
    }
}

