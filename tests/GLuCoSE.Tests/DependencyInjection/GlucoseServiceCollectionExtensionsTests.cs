using System;
using System.IO;
using System.Threading.Tasks;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using FloatEmbedding = Microsoft.Extensions.AI.Embedding<float>;

namespace GLuCoSE.Tests.DependencyInjection;

/// <summary><c>services.AddGlucoseEmbeddingGenerator</c>.</summary>
public sealed class GlucoseServiceCollectionExtensionsTests
{
    [Fact]
    public void AddGlucoseEmbeddingGenerator_Resolve_OneSingletonForBothServices()
    {
        using ServiceProvider provider = new ServiceCollection().AddGlucoseEmbeddingGenerator(TestPaths.TinyModel).BuildServiceProvider();

        var embedder = provider.GetRequiredService<GlucoseEmbedder>();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, FloatEmbedding>>();

        Assert.Same(embedder, generator);
        Assert.Same(embedder, provider.GetRequiredService<GlucoseEmbedder>());
        using IServiceScope scope = provider.CreateScope();
        Assert.Same(embedder, scope.ServiceProvider.GetRequiredService<IEmbeddingGenerator<string, FloatEmbedding>>());
    }

    [Fact]
    public async Task AddGlucoseEmbeddingGenerator_Configure_AppliesOptions()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddGlucoseEmbeddingGenerator(TestPaths.TinyModel, options =>
            {
                options.NormalizeEmbeddings = true;
                options.MaxSequenceLength = 64;
                options.ModelId = "my-model";
            })
            .BuildServiceProvider();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, FloatEmbedding>>();

        GeneratedEmbeddings<FloatEmbedding> result = await generator.GenerateAsync([Sentences.Document(20)], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(result[0].Vector.Span), 1e-5f);
        Assert.Equal(64, result.Usage?.InputTokenCount);
        Assert.Equal("my-model", result[0].ModelId);
    }

    [Fact]
    public async Task AddGlucoseEmbeddingGenerator_WithLogging_LogsLoadAndTruncation()
    {
        using var logs = new CollectingLoggerProvider();
        using ServiceProvider provider = new ServiceCollection()
            .AddLogging(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))
            .AddGlucoseEmbeddingGenerator(TestPaths.TinyModel, options => options.IntraOpNumThreads = 1)
            .BuildServiceProvider();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, FloatEmbedding>>();

        await generator.GenerateAsync(["短い文。", Sentences.Document(60)], cancellationToken: TestContext.Current.CancellationToken);

        CollectingLoggerProvider.LogEntry loaded = Assert.Single(logs.Entries, e => e.EventId.Name == "ModelLoaded");
        Assert.Equal(typeof(GlucoseEmbedder).FullName, loaded.Category);
        Assert.Equal(LogLevel.Information, loaded.Level);
        Assert.Contains("model.onnx", loaded.Message, StringComparison.Ordinal);
        Assert.Contains("execution provider Cpu", loaded.Message, StringComparison.Ordinal);
        Assert.Contains("intra-op threads 1", loaded.Message, StringComparison.Ordinal);
        CollectingLoggerProvider.LogEntry lanes = Assert.Single(logs.Entries, e => e.EventId.Name == "ParallelRuns");
        Assert.EndsWith("off: one intra-op thread", lanes.Message, StringComparison.Ordinal);

        CollectingLoggerProvider.LogEntry truncated = Assert.Single(logs.Entries, e => e.EventId.Name == "InputsTruncated");
        Assert.Equal(LogLevel.Warning, truncated.Level);
        Assert.StartsWith("1 of 2 inputs are longer than 512 tokens", truncated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddGlucoseEmbeddingGenerator_ShortInputs_LogNoTruncation()
    {
        using var logs = new CollectingLoggerProvider();
        using ServiceProvider provider = new ServiceCollection()
            .AddLogging(builder => builder.AddProvider(logs))
            .AddGlucoseEmbeddingGenerator(TestPaths.TinyModel)
            .BuildServiceProvider();

        await provider.GetRequiredService<GlucoseEmbedder>().EncodeAsync(Sentences.Take(10), cancellationToken: TestContext.Current.CancellationToken);

        Assert.DoesNotContain(logs.Entries, e => e.EventId.Name == "InputsTruncated");
    }

    [Fact]
    public void AddGlucoseEmbeddingGenerator_DisposeProvider_DisposesEmbedder()
    {
        ServiceProvider provider = new ServiceCollection().AddGlucoseEmbeddingGenerator(TestPaths.TinyModel).BuildServiceProvider();
        var embedder = provider.GetRequiredService<GlucoseEmbedder>();

        provider.Dispose();

        Assert.Throws<ObjectDisposedException>(() => embedder.Encode("テスト"));
    }

    [Fact]
    public void AddGlucoseEmbeddingGenerator_MissingFolder_FailsOnResolveNamingFolder()
    {
        string missing = Path.Combine(Path.GetTempPath(), "glucose-missing-" + Guid.NewGuid().ToString("N"));
        using ServiceProvider provider = new ServiceCollection().AddGlucoseEmbeddingGenerator(missing).BuildServiceProvider();

        var ex = Assert.Throws<DirectoryNotFoundException>(() => provider.GetRequiredService<IEmbeddingGenerator<string, FloatEmbedding>>());

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGlucoseEmbeddingGenerator_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddGlucoseEmbeddingGenerator(TestPaths.TinyModel));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddGlucoseEmbeddingGenerator(null!));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddGlucoseEmbeddingGenerator(" "));
    }

    [Fact]
    public void AddGlucoseEmbeddingGenerator_Registrations_AreSingletons()
    {
        var services = new ServiceCollection().AddGlucoseEmbeddingGenerator(TestPaths.TinyModel);

        Assert.Equal(2, services.Count);
        Assert.All(services, d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));
        Assert.Contains(services, d => d.ServiceType == typeof(GlucoseEmbedder));
        Assert.Contains(services, d => d.ServiceType == typeof(IEmbeddingGenerator<string, FloatEmbedding>));
        Assert.Single(services, d => d.ServiceType == typeof(GlucoseEmbedder));
    }
}
