namespace GLuCoSE.Server.Model;

/// <summary>Creates the server's embedder; <see cref="ConfiguredEmbedderFactory"/> from the configuration.</summary>
internal interface IEmbedderFactory
{
    /// <summary>Loads (downloading first, where the configuration says so) the model.</summary>
    Task<GlucoseEmbedder> CreateAsync(CancellationToken cancellationToken);
}
