using System.Threading.Tasks;
using System;
using System.Linq;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>Prompts: named prefixes per call and by default, as sentence-transformers' prompts / prompt_name.</summary>
public sealed class GlucosePromptsTests
{
    [Fact]
    public void Encode_PromptName_EqualsEncodingThePrefixedText()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, GlucosePrompts.UseVersion2Prompts(new GlucoseEmbedderOptions()));
        string[] texts = Sentences.Take(4);

        float[][] queries = embedder.Encode(texts, GlucosePrompts.Query);
        float[][] passages = embedder.Encode(texts, GlucosePrompts.Passage);

        float[][] expectedQueries = embedder.Encode(texts.Select(t => "query: " + t).ToArray());
        float[][] expectedPassages = embedder.Encode(texts.Select(t => "passage: " + t).ToArray());
        for (int i = 0; i < texts.Length; i++)
        {
            Vectors.AssertClose(expectedQueries[i], queries[i]);
            Vectors.AssertClose(expectedPassages[i], passages[i]);
        }

        Assert.NotEqual(queries[0], passages[0]);
    }

    [Fact]
    public void Encode_NullPromptName_UsesDefaultPrompt()
    {
        var options = GlucosePrompts.UseVersion2Prompts(new GlucoseEmbedderOptions());
        options.DefaultPromptName = GlucosePrompts.Passage;
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, options);

        using GlucoseEmbedder plain = GlucoseEmbedder.Create(TestPaths.TinyModel);

        float[] actual = embedder.Encode("猫が好きです。", promptName: null);

        Vectors.AssertClose(plain.Encode("passage: 猫が好きです。"), actual);
        Vectors.AssertClose(actual, embedder.Encode("猫が好きです。"));
        Vectors.AssertClose(actual, embedder.Encode(["猫が好きです。"])[0]);
        Vectors.AssertClose(plain.Encode("query: 猫が好きです。"), embedder.Encode("猫が好きです。", GlucosePrompts.Query));
    }

    [Fact]
    public void Encode_NoPrompts_EmbedsTextAsGiven()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        Assert.Equal(embedder.Tokenizer.EncodeToIds("猫が好きです。"), embedder.EncodeTokens("猫が好きです。").TokenIds.ToArray());
        Vectors.AssertClose(embedder.Encode("猫が好きです。"), embedder.Encode("猫が好きです。", promptName: null));
    }

    [Fact]
    public void Encode_UnknownPromptName_ThrowsNamingTheKnownPrompts()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, GlucosePrompts.UseVersion2Prompts(new GlucoseEmbedderOptions()));

        var ex = Assert.Throws<ArgumentException>(() => embedder.Encode("テスト", "document"));

        Assert.Equal("promptName", ex.ParamName);
        Assert.Contains("'document'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'query', 'passage'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_DefaultPromptNameNotInPrompts_ThrowsNamingTheDefault()
    {
        var ex = Assert.Throws<ArgumentException>(() => GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { DefaultPromptName = "query" }));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains("DefaultPromptName 'query'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("none are set", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_PromptsChangedAfterwards_EmbedderKeepsItsCopy()
    {
        var options = GlucosePrompts.UseVersion2Prompts(new GlucoseEmbedderOptions());
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, options);

        options.Prompts[GlucosePrompts.Query] = "changed: ";
        options.Prompts.Remove(GlucosePrompts.Passage);

        using GlucoseEmbedder plain = GlucoseEmbedder.Create(TestPaths.TinyModel);
        Vectors.AssertClose(plain.Encode("query: 猫"), embedder.Encode("猫", GlucosePrompts.Query));
        Vectors.AssertClose(plain.Encode("passage: 猫"), embedder.Encode("猫", GlucosePrompts.Passage));
    }

    [Fact]
    public void UseVersion2Prompts_Options_AddsQueryAndPassagePrefixes()
    {
        var options = GlucosePrompts.UseVersion2Prompts(new GlucoseEmbedderOptions());

        Assert.Equal("query: ", options.Prompts["query"]);
        Assert.Equal("passage: ", options.Prompts["passage"]);
        Assert.Null(options.DefaultPromptName);
        Assert.Throws<ArgumentNullException>(() => GlucosePrompts.UseVersion2Prompts(null!));
    }

    [Fact]
    public async Task EncodeAsync_NullPromptName_UsesTheDefaultPrompt()
    {
        var options = GlucosePrompts.UseVersion2Prompts(new GlucoseEmbedderOptions());
        options.DefaultPromptName = GlucosePrompts.Query;
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, options);
        using GlucoseEmbedder plain = GlucoseEmbedder.Create(TestPaths.TinyModel);
        string[] texts = ["猫が好きです。", "犬も好きです。"];

        float[][] actual = await embedder.EncodeAsync(texts, null, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(plain.Encode(["query: 猫が好きです。", "query: 犬も好きです。"]), actual);
        Assert.NotEqual(plain.Encode(texts)[0], actual[0]);
    }
}
