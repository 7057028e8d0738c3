using System;
using GLuCoSE;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers GLuCoSE with an <see cref="IServiceCollection"/>.</summary>
public static class GlucoseServiceCollectionExtensions
{
    /// <summary>
    /// Registers one shared <see cref="GlucoseEmbedder"/> (a singleton) for the model in
    /// <paramref name="modelDirectory"/>, as itself and as <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of
    /// <see cref="string"/> to <see cref="Embedding{T}"/> of <see cref="float"/>.
    /// </summary>
    /// <remarks>
    /// <para>The model loads when the embedder is first resolved, and the container disposes it. When the container has
    /// an <see cref="ILoggerFactory"/> (<c>services.AddLogging()</c>), the embedder logs to
    /// <c>ILogger&lt;GlucoseEmbedder&gt;</c>: the model loaded with its execution provider and threads (Information),
    /// and inputs truncated to the token limit (Warning).</para>
    /// </remarks>
    /// <param name="services">The services.</param>
    /// <param name="modelDirectory">The model folder, as for <see cref="GlucoseEmbedder.Create(string, GlucoseEmbedderOptions?)"/>.</param>
    /// <param name="configure">Sets options; null for the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="modelDirectory"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelDirectory"/> is empty or white space.</exception>
    public static IServiceCollection AddGlucoseEmbeddingGenerator(
        this IServiceCollection services,
        string modelDirectory,
        Action<GlucoseEmbedderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);

        services.AddSingleton(provider =>
        {
            var options = new GlucoseEmbedderOptions();
            configure?.Invoke(options);
            ILogger logger = provider.GetService(typeof(ILoggerFactory)) is ILoggerFactory loggerFactory
                ? loggerFactory.CreateLogger<GlucoseEmbedder>()
                : NullLogger.Instance;
            return GlucoseEmbedder.Create(modelDirectory, options, logger);
        });
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
            provider => (GlucoseEmbedder)provider.GetService(typeof(GlucoseEmbedder))!);
        return services;
    }
}
