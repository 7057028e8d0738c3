using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Xunit;
using FloatEmbedding = Microsoft.Extensions.AI.Embedding<float>;

namespace GLuCoSE.Tests;

/// <summary><see cref="GlucoseEmbedder"/> as a Microsoft.Extensions.AI embedding generator.</summary>
public sealed class GlucoseEmbedderAITests
{
    [Fact]
    public async Task GenerateAsync_Texts_EqualEncodeInInputOrder()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 3 });
        IEmbeddingGenerator<string, FloatEmbedding> generator = embedder;
        IReadOnlyList<string> texts = Sentences.MixedLengths();

        GeneratedEmbeddings<FloatEmbedding> generated = await generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);

        float[][] expected = embedder.Encode(texts);
        Assert.Equal(texts.Count, generated.Count);
        for (int i = 0; i < texts.Count; i++)
        {
            Vectors.AssertClose(expected[i], generated[i].Vector.Span, what: $"embedding {i}");
            Assert.Equal("tiny-random-luke", generated[i].ModelId);
            Assert.NotNull(generated[i].CreatedAt);
        }
    }

    [Fact]
    public async Task GenerateAsync_Usage_CountsTokensTheModelSaw()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { MaxSequenceLength = 128 });
        IReadOnlyList<string> texts = Sentences.MixedLengths();

        GeneratedEmbeddings<FloatEmbedding> generated = await embedder.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);

        // <s> and </s> included, long texts counted as truncated to 128.
        long expected = texts.Sum(t => (long)embedder.Tokenizer.EncodeToIds(t, 128).Length);
        Assert.True(texts.Any(t => embedder.Tokenizer.CountTokens(t) > 128), "the inputs should include a truncated one");
        Assert.Equal(expected, generated.Usage?.InputTokenCount);
        Assert.Equal(expected, generated.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_OtherDimensions_ThrowsNotSupportedNamingBoth()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() =>
            embedder.GenerateAsync(["テスト"], new EmbeddingGenerationOptions { Dimensions = 16 }, TestContext.Current.CancellationToken));

        Assert.Contains("16", ex.Message, StringComparison.Ordinal);
        Assert.Contains("32-dimensional", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_ModelDimensions_Accepted()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        GeneratedEmbeddings<FloatEmbedding> generated = await embedder.GenerateAsync(
            ["テスト"], new EmbeddingGenerationOptions { Dimensions = 32 }, TestContext.Current.CancellationToken);

        Assert.Equal(32, generated[0].Vector.Length);
    }

    [Fact]
    public async Task GenerateAsync_PromptNameProperty_PrefixesEveryText()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, GlucosePrompts.UseVersion2Prompts(new GlucoseEmbedderOptions()));
        var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { ["prompt_name"] = GlucosePrompts.Query } };
        string[] texts = Sentences.Take(3);

        GeneratedEmbeddings<FloatEmbedding> generated = await embedder.GenerateAsync(texts, options, TestContext.Current.CancellationToken);

        float[][] expected = embedder.Encode(texts.Select(t => "query: " + t).ToArray());
        for (int i = 0; i < texts.Length; i++)
        {
            Vectors.AssertClose(expected[i], generated[i].Vector.Span);
        }
    }

    [Fact]
    public async Task GenerateAsync_PromptProperty_PrefixesLiteralText()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { ["prompt"] = "検索: " } };

        GeneratedEmbeddings<FloatEmbedding> generated = await embedder.GenerateAsync(["猫の写真"], options, TestContext.Current.CancellationToken);

        Vectors.AssertClose(embedder.Encode("検索: 猫の写真"), generated[0].Vector.Span);
        Assert.Equal(embedder.Tokenizer.CountTokens("検索: 猫の写真"), generated.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_CancelledToken_ThrowsOperationCanceled()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedder.GenerateAsync(Sentences.Take(5), cancellationToken: cancellation.Token));
    }

    [Fact]
    public async Task GenerateAsync_ManyConcurrentCallers_SameResultsAsOneByOne()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 4 });
        string[][] inputs = Enumerable.Range(0, 12).Select(i => Sentences.Take(5 + i, skip: i * 17)).ToArray();
        float[][][] expected = inputs.Select(embedder.Encode).ToArray();

        GeneratedEmbeddings<FloatEmbedding>[] results = await Task.WhenAll(
            inputs.Select(texts => Task.Run(() => embedder.GenerateAsync(texts), TestContext.Current.CancellationToken)));

        for (int call = 0; call < inputs.Length; call++)
        {
            for (int i = 0; i < inputs[call].Length; i++)
            {
                Vectors.AssertClose(expected[call][i], results[call][i].Vector.Span, what: $"call {call} embedding {i}");
            }
        }
    }

    [Fact]
    public async Task GenerateVectorAsync_OneText_EqualsEncode()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        ReadOnlyMemory<float> vector = await embedder.GenerateVectorAsync("今日は晴れです。", cancellationToken: TestContext.Current.CancellationToken);

        Vectors.AssertClose(embedder.Encode("今日は晴れです。"), vector.Span);
    }

    [Fact]
    public async Task GenerateAsync_AfterDispose_ThrowsObjectDisposed()
    {
        GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        embedder.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => embedder.GenerateAsync(["テスト"], cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task GenerateAsync_NullValue_NamesIndex()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => embedder.GenerateAsync(["a", null!, "b"], cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("values[1] is null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetService_Metadata_DescribesProviderModelAndDimensions()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        EmbeddingGeneratorMetadata? metadata = embedder.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("GLuCoSE", metadata.ProviderName);
        Assert.Equal("tiny-random-luke", metadata.DefaultModelId);
        Assert.Equal(32, metadata.DefaultModelDimensions);
    }

    [Fact]
    public void GetService_ModelIdOption_OverridesFolderName()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { ModelId = "pkshatech/GLuCoSE-base-ja" });

        Assert.Equal("pkshatech/GLuCoSE-base-ja", embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
    }

    [Fact]
    public void GetService_OwnTypesAndKeys_SelfTokenizerOrNull()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        IEmbeddingGenerator generator = embedder;

        Assert.Same(embedder, generator.GetService(typeof(GlucoseEmbedder)));
        Assert.Same(embedder, generator.GetService(typeof(IEmbeddingGenerator<string, FloatEmbedding>)));
        Assert.Same(embedder.Tokenizer, generator.GetService(typeof(Microsoft.ML.Tokenizers.Tokenizer)));
        Assert.Null(generator.GetService(typeof(EmbeddingGeneratorMetadata), serviceKey: "other"));
        Assert.Null(generator.GetService(typeof(string)));
        Assert.Throws<ArgumentNullException>(() => generator.GetService(null!));
    }

    [Fact]
    public async Task GenerateAsync_PromptPropertiesFromJson_AreApplied()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, GlucosePrompts.UseVersion2Prompts(new GlucoseEmbedderOptions()));
        var byName = new EmbeddingGenerationOptions { AdditionalProperties = System.Text.Json.JsonSerializer.Deserialize<AdditionalPropertiesDictionary>("{\"prompt_name\":\"query\"}") };
        var literal = new EmbeddingGenerationOptions { AdditionalProperties = System.Text.Json.JsonSerializer.Deserialize<AdditionalPropertiesDictionary>("{\"prompt\":\"query: \"}") };

        GeneratedEmbeddings<FloatEmbedding> named = await embedder.GenerateAsync(["猫"], byName, TestContext.Current.CancellationToken);
        GeneratedEmbeddings<FloatEmbedding> prefixed = await embedder.GenerateAsync(["猫"], literal, TestContext.Current.CancellationToken);

        Assert.Equal(embedder.Encode("猫", "query"), named[0].Vector.ToArray());
        Assert.Equal(embedder.Encode("猫", "query"), prefixed[0].Vector.ToArray());
        Assert.NotEqual(embedder.Encode("猫"), named[0].Vector.ToArray());
    }

    [Fact]
    public async Task GenerateAsync_PromptPropertyNotAStringOrNotUnicode_Throws()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        var number = new EmbeddingGenerationOptions { AdditionalProperties = new() { ["prompt_name"] = 3 } };
        var surrogate = new EmbeddingGenerationOptions { AdditionalProperties = new() { ["prompt"] = "\uD800: " } };

        await Assert.ThrowsAsync<ArgumentException>(() => embedder.GenerateAsync(["猫"], number, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() => embedder.GenerateAsync(["猫"], surrogate, TestContext.Current.CancellationToken));
    }
}
