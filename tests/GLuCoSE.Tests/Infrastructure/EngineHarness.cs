using System;
using GLuCoSE.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>
/// An embedder opened over an engine the test can reach (the facade has no test hooks): the scheduler
/// (<see cref="EmbeddingEngine.Batcher"/>), the sessions and lanes (<see cref="EmbeddingEngine.Sessions"/>) and the
/// lane statistics. Disposing it disposes the embedder, which owns the engine.
/// </summary>
internal sealed class EngineHarness : IDisposable
{
    private EngineHarness(EmbeddingEngine engine, GlucoseEmbedder embedder)
    {
        Engine = engine;
        Embedder = embedder;
    }

    public EmbeddingEngine Engine { get; }

    public GlucoseEmbedder Embedder { get; }

    public static EngineHarness Open(string modelDirectory, GlucoseEmbedderOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        GlucoseEmbedderOptions validated = (options ?? new GlucoseEmbedderOptions()).ValidatedCopy();
        EmbeddingEngine engine = EmbeddingEngine.Open(modelDirectory, validated, logger ?? NullLogger.Instance, time ?? TimeProvider.System);
        return new EngineHarness(engine, new GlucoseEmbedder(engine, validated));
    }

    public void Dispose() => Embedder.Dispose();
}
