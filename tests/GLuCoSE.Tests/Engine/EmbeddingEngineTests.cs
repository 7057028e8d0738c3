using System;
using System.IO;
using GLuCoSE.Engine;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace GLuCoSE.Tests.Engine;

/// <summary>The engine behind the facade, opened and driven directly: what it embeds is what the facade returns.</summary>
public sealed class EmbeddingEngineTests
{
    [Fact]
    public void Embed_Texts_EqualsTheFacadesEncode()
    {
        using var harness = EngineHarness.Open(TestPaths.TinyModel);
        string[] texts = Sentences.Take(20);

        float[][] direct = harness.Engine.Embed(texts, new EncodeCall(string.Empty));

        Assert.Equal(harness.Embedder.Encode(texts), direct);
    }

    [Fact]
    public void EmbedOne_WithPrefix_EqualsEmbeddingThePrefixedText()
    {
        using var harness = EngineHarness.Open(TestPaths.TinyModel);

        float[] prefixed = harness.Engine.EmbedOne("猫が好きです。", "query: ");

        Assert.Equal(harness.Engine.EmbedOne("query: 猫が好きです。", string.Empty), prefixed);
        Assert.Equal(harness.Embedder.Encode("query: 猫が好きです。"), prefixed);
    }

    [Fact]
    public void Open_TinyModel_ReportsItsShapeAndGraph()
    {
        using var harness = EngineHarness.Open(TestPaths.TinyModel, new GlucoseEmbedderOptions { MaxSequenceLength = 64 });

        Assert.Equal(32, harness.Engine.Dimensions);
        Assert.Equal(64, harness.Engine.MaxSequenceLength);
        Assert.Equal(Path.Combine(TestPaths.TinyModel, "model.onnx"), harness.Engine.ModelPath);
        Assert.Equal(harness.Engine.ModelPath, harness.Embedder.ModelPath());
    }

    [Fact]
    public void Open_MaxSequenceLengthBeyondThePositionEmbeddings_ThrowsNamingTheLimit()
    {
        GlucoseEmbedderOptions options = new GlucoseEmbedderOptions { MaxSequenceLength = 100_000 }.ValidatedCopy();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingEngine.Open(TestPaths.TinyModel, options, NullLogger.Instance, TimeProvider.System));

        Assert.Contains("position embeddings", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_Engine_LaterCallsThrowObjectDisposed()
    {
        var harness = EngineHarness.Open(TestPaths.TinyModel);

        harness.Engine.Dispose();

        Assert.Throws<ObjectDisposedException>(() => harness.Engine.Embed(["テスト"], new EncodeCall(string.Empty)));
        harness.Dispose();
    }
}
