// An app that uses GLuCoSE the way the package is meant to be used: from a NuGet feed, registered with dependency
// injection, called through Microsoft.Extensions.AI's IEmbeddingGenerator. Exits non-zero if anything is off.
using GLuCoSE;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: GLuCoSE.PackageConsumer MODEL_DIR");
    return 2;
}

var services = new ServiceCollection();
services.AddLogging(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
services.AddGlucoseEmbeddingGenerator(args[0], options => options.NormalizeEmbeddings = true);

await using ServiceProvider provider = services.BuildServiceProvider();
var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
var metadata = generator.GetRequiredService<EmbeddingGeneratorMetadata>();

string[] texts = ["今日は晴れです。", "今日は天気が良い。", "猫が好きです。"];
GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(texts);

Console.WriteLine($"provider {metadata.ProviderName}, model {metadata.DefaultModelId}, {metadata.DefaultModelDimensions} dimensions");
Console.WriteLine($"{embeddings.Count} embeddings, {embeddings.Usage?.InputTokenCount} input tokens");
for (int i = 1; i < texts.Length; i++)
{
    float cosine = Similarity.Cosine(embeddings[0].Vector.Span, embeddings[i].Vector.Span);
    Console.WriteLine($"cosine(\"{texts[0]}\", \"{texts[i]}\") = {cosine:F4}");
}

bool ok = embeddings.Count == texts.Length
    && metadata.ProviderName == "GLuCoSE"
    && embeddings[0].Vector.Length == metadata.DefaultModelDimensions
    && embeddings.Usage?.InputTokenCount > 0
    && ReferenceEquals(generator, provider.GetRequiredService<GlucoseEmbedder>());
Console.WriteLine(ok ? "package consumer: OK" : "package consumer: FAILED");
return ok ? 0 : 1;
