using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using GLuCoSE.Execution;
using GLuCoSE.Model;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace GLuCoSE.Tests.Model;

/// <summary>The ONNX reader that finds the large weights (initializers) the two lanes' sessions share.</summary>
public sealed class OnnxInitializersTests : IDisposable
{
    private readonly TempModelFolder _cacheFolder = new(copyModel: false);

    private static string TinyGraph => TestPaths.TinyGraph;

    public void Dispose() => _cacheFolder.Dispose();

    [Fact]
    public void Read_TinyGraph_FindsTheWordEmbeddingsWithTheShapeInConfigJson()
    {
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.TinyModel, "config.json")));
        long vocabulary = config.RootElement.GetProperty("vocab_size").GetInt64();
        long hidden = config.RootElement.GetProperty("hidden_size").GetInt64();

        List<OnnxInitializer> found = OnnxInitializers.Read(TinyGraph, minBytes: 64 * 1024);

        OnnxInitializer words = Assert.Single(found, t => t.Dimensions.SequenceEqual([vocabulary, hidden]));
        Assert.Equal(TensorElementType.Float, words.ElementType);
        Assert.Equal(vocabulary * hidden * sizeof(float), words.Length);
        Assert.Equal(Path.GetFullPath(TinyGraph), words.File);
        Assert.InRange(words.Offset + words.Length, words.Length, new FileInfo(TinyGraph).Length);
        Assert.All(found, t => Assert.True(t.Length >= 64 * 1024));
    }

    [Fact]
    public void Read_GraphWithExternalData_FollowsTheDataFile()
    {
        // The optimized-model cache's entry keeps its weights in a data file beside it, written by ONNX Runtime.
        using (GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { IntraOpNumThreads = 2, Performance = { OptimizedModelCacheDirectory = _cacheFolder.Path } }))
        {
        }

        string entry = Assert.Single(Directory.GetFiles(_cacheFolder.Path, "*.onnx"));
        string data = Assert.Single(Directory.GetFiles(_cacheFolder.Path, "*.data"));

        List<OnnxInitializer> found = OnnxInitializers.Read(entry, minBytes: 1024);

        Assert.NotEmpty(found);
        Assert.All(found, t =>
        {
            Assert.Equal(Path.GetFullPath(data), t.File);
            Assert.InRange(t.Offset + t.Length, t.Length, new FileInfo(data).Length);
        });
    }

    [Fact]
    public void Read_MalformedFile_ThrowsInvalidDataNamingTheFile()
    {
        using var folder = new TempModelFolder(copyModel: false);
        string truncated = folder.File("truncated.onnx");
        byte[] model = File.ReadAllBytes(TinyGraph);
        File.WriteAllBytes(truncated, model[..(model.Length / 2)]);

        var ex = Assert.Throws<InvalidDataException>(() => OnnxInitializers.Read(truncated, minBytes: 1024));

        Assert.Contains(truncated, ex.Message, StringComparison.Ordinal);
    }
}
