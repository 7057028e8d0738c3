using System;
using System.IO;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>Every failure names its culprit and says what was expected.</summary>
public sealed class GlucoseEmbedderErrorTests
{
    [Fact]
    public void Create_NullDirectory_ThrowsArgumentNull()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => GlucoseEmbedder.Create(null!));

        Assert.Equal("modelDirectory", ex.ParamName);
    }

    [Fact]
    public void Create_MissingDirectory_NamesFolderAndLayout()
    {
        string missing = Path.Combine(Path.GetTempPath(), "glucose-missing-" + Guid.NewGuid().ToString("N"));

        var ex = Assert.Throws<DirectoryNotFoundException>(() => GlucoseEmbedder.Create(missing));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Contains("model.onnx", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sentencepiece.bpe.model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MissingOnnxFile_NamesFileAndFolder()
    {
        using var folder = new TempModelFolder();
        File.Delete(folder.File("model.onnx"));

        var ex = Assert.Throws<FileNotFoundException>(() => GlucoseEmbedder.Create(folder.Path));

        Assert.Contains("'model.onnx' not found", ex.Message, StringComparison.Ordinal);
        Assert.Contains(folder.Path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(folder.File("model.onnx"), ex.FileName);
    }

    [Fact]
    public void Create_OnnxInHuggingFaceSubfolder_IsFound()
    {
        using var folder = new TempModelFolder();
        Directory.CreateDirectory(folder.File("onnx"));
        File.Move(folder.File("model.onnx"), Path.Combine(folder.Path, "onnx", "model.onnx"));

        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(folder.Path);

        Assert.Equal(Path.Combine(folder.Path, "onnx", "model.onnx"), embedder.ModelPath());
        Assert.Equal(32, embedder.Encode("テスト").Length);
    }

    [Fact]
    public void Create_MissingTokenizer_NamesFile()
    {
        using var folder = new TempModelFolder();
        File.Delete(folder.File("sentencepiece.bpe.model"));

        var ex = Assert.Throws<FileNotFoundException>(() => GlucoseEmbedder.Create(folder.Path));

        Assert.Contains("'sentencepiece.bpe.model' not found", ex.Message, StringComparison.Ordinal);
        Assert.Equal(folder.File("sentencepiece.bpe.model"), ex.FileName);
    }

    [Fact]
    public void Create_OnnxFileOfRandomBytes_NamesFileAndUnderlyingError()
    {
        using var folder = new TempModelFolder();
        File.WriteAllBytes(folder.File("model.onnx"), RandomBytes(4096, seed: 1));

        var ex = Assert.Throws<InvalidDataException>(() => GlucoseEmbedder.Create(folder.Path));

        Assert.Contains(folder.File("model.onnx"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid ONNX model", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.InnerException);
    }

    [Fact]
    public void Create_TokenizerOfRandomBytes_NamesFile()
    {
        using var folder = new TempModelFolder();
        File.WriteAllBytes(folder.File("sentencepiece.bpe.model"), RandomBytes(4096, seed: 2));

        var ex = Assert.Throws<InvalidDataException>(() => GlucoseEmbedder.Create(folder.Path));

        Assert.Contains(folder.File("sentencepiece.bpe.model"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid SentencePiece model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_TruncatedOnnxFile_NamesFileAndUnderlyingError()
    {
        using var folder = new TempModelFolder();
        byte[] model = File.ReadAllBytes(folder.File("model.onnx"));
        File.WriteAllBytes(folder.File("model.onnx"), model[..(model.Length / 2)]);

        var ex = Assert.Throws<InvalidDataException>(() => GlucoseEmbedder.Create(folder.Path));

        Assert.Contains(folder.File("model.onnx"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("ONNX Runtime", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_GraphWithoutTokenStates_SaysWhatOutputIsNeeded()
    {
        using var folder = new TempModelFolder();
        File.WriteAllBytes(folder.File("model.onnx"), OnnxGraphs.WithoutTokenStates());

        var ex = Assert.Throws<InvalidDataException>(() => GlucoseEmbedder.Create(folder.Path));

        Assert.Contains(folder.File("model.onnx"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("no rank-3 float output", ex.Message, StringComparison.Ordinal);
        Assert.Contains("out Float", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_GraphWithOtherInputNames_ListsItsInputs()
    {
        using var folder = new TempModelFolder();
        File.WriteAllBytes(folder.File("model.onnx"), OnnxGraphs.WithInput("tokens"));

        var ex = Assert.Throws<InvalidDataException>(() => GlucoseEmbedder.Create(folder.Path));

        Assert.Contains("has no input named 'input_ids'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("tokens Int64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_GraphWithAnInputItCannotFeed_NamesTheInput()
    {
        using var folder = new TempModelFolder();
        File.WriteAllBytes(folder.File("model.onnx"), OnnxGraphs.WithExtraInput("position_ids"));

        var ex = Assert.Throws<InvalidDataException>(() => GlucoseEmbedder.Create(folder.Path));

        Assert.Contains("input 'position_ids' this library cannot feed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EmbeddingTableSmallerThanTokenizer_FailsAtCreate()
    {
        using var folder = new TempModelFolder();
        File.Delete(folder.File("config.json"));
        File.WriteAllBytes(folder.File("model.onnx"), OnnxGraphs.EmbeddingLookup(vocabulary: 1000, width: 4));

        var ex = Assert.Throws<InvalidDataException>(() => GlucoseEmbedder.Create(folder.Path));

        Assert.Contains(folder.File("model.onnx"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not hold token id 32771", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sentencepiece.bpe.model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ConfigVocabularySmallerThanTokenizer_FailsAtCreate()
    {
        using var folder = new TempModelFolder();
        string config = File.ReadAllText(folder.File("config.json"));
        File.WriteAllText(folder.File("config.json"), config.Replace("\"vocab_size\": 32772", "\"vocab_size\": 30000", StringComparison.Ordinal));

        var ex = Assert.Throws<InvalidDataException>(() => GlucoseEmbedder.Create(folder.Path));

        Assert.Contains("32772 token ids", ex.Message, StringComparison.Ordinal);
        Assert.Contains("only 30000 (vocab_size)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MatchingEmbeddingLookupGraph_Works()
    {
        using var folder = new TempModelFolder();
        File.WriteAllBytes(folder.File("model.onnx"), OnnxGraphs.EmbeddingLookup(vocabulary: 32772, width: 4));

        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(folder.Path);

        Assert.Equal(4, embedder.Dimensions);
        Assert.Equal(4, embedder.Encode("テスト").Length);
    }

    [Fact]
    public void Create_CudaWithoutGpuPackage_SaysWhichPackageAndVersionsAreNeeded()
    {
        var options = new GlucoseEmbedderOptions { ExecutionProvider = GlucoseExecutionProvider.Cuda };

        var ex = Assert.Throws<InvalidOperationException>(() => GlucoseEmbedder.Create(TestPaths.TinyModel, options));

        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA 13", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cuDNN 9", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(32, 1)]
    [InlineData(32, 513)]
    [InlineData(32, -1)]
    public void Create_OptionsOutOfRange_ThrowsArgumentOutOfRange(int batchSize, int maxSequenceLength)
    {
        var options = new GlucoseEmbedderOptions { BatchSize = batchSize, MaxSequenceLength = maxSequenceLength };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => GlucoseEmbedder.Create(TestPaths.TinyModel, options));

        Assert.Equal("options", ex.ParamName);
    }

    [Fact]
    public void Create_NegativeTokenBudget_ThrowsArgumentOutOfRange()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(
            () => GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { Performance = { MaxBatchTokens = -1 } }));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains("MaxBatchTokens", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_BatchingLeftUnset_UsesTheCpuDefaults()
    {
        using var harness = EngineHarness.Open(TestPaths.TinyModel);

        Assert.Equal(128, harness.Engine.Policy.BatchSize);
        Assert.Equal(1024, harness.Engine.Policy.MaxBatchTokens);
        Assert.Equal(TimeSpan.FromMilliseconds(5), harness.Engine.Policy.MicroBatchWait);
    }

    [Fact]
    public void Create_BatchingSet_KeepsTheValuesGiven()
    {
        var options = new GlucoseEmbedderOptions { BatchSize = 7, Performance = { MaxBatchTokens = 100_000, MicroBatchWait = TimeSpan.Zero } };
        using var harness = EngineHarness.Open(TestPaths.TinyModel, options);

        Assert.Equal(7, harness.Engine.Policy.BatchSize);
        Assert.Equal(100_000, harness.Engine.Policy.MaxBatchTokens);
        Assert.Equal(TimeSpan.Zero, harness.Engine.Policy.MicroBatchWait);
    }

    [Fact]
    public void Encode_NullList_ThrowsArgumentNull()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        var ex = Assert.Throws<ArgumentNullException>(() => embedder.Encode((string[])null!));
        Assert.Equal("texts", ex.ParamName);
        Assert.Throws<ArgumentNullException>(() => embedder.Encode((string)null!));
    }

    [Fact]
    public void Encode_NullElement_NamesIndex()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        var ex = Assert.Throws<ArgumentException>(() => embedder.Encode(["一つ目", null!, "三つ目"]));

        Assert.Equal("texts", ex.ParamName);
        Assert.Contains("texts[1]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_AfterDispose_ThrowsObjectDisposed()
    {
        GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        embedder.Dispose();
        embedder.Dispose();

        Assert.Throws<ObjectDisposedException>(() => embedder.Encode("テスト"));
        Assert.Throws<ObjectDisposedException>(() => embedder.Encode(["テスト"]));
        Assert.Throws<ObjectDisposedException>(() => embedder.EncodeTokens("テスト"));
        Assert.Throws<ObjectDisposedException>(() => embedder.Dimensions);
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void EncodeTokens_UnpairedSurrogate_NamesTheTextLikeEncode()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        var ex = Assert.Throws<ArgumentException>(() => embedder.EncodeTokens("bad\uD800"));

        Assert.Equal("text", ex.ParamName);
        Assert.Equal(Assert.Throws<ArgumentException>(() => embedder.Encode("bad\uD800")).Message, ex.Message);
    }

    [Fact]
    public async System.Threading.Tasks.Task Encode_HugeBatchSize_RunsTheTextsItHas()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = int.MaxValue });
        float[][] expected = [embedder.Encode("一つ目"), embedder.Encode("二つ目")];

        Assert.Equal(expected, embedder.Encode(["一つ目", "二つ目"]));
        var streamed = new System.Collections.Generic.List<float[]>();
        await foreach (IndexedEmbedding item in embedder.EncodeStreamAsync(["一つ目", "二つ目"], cancellationToken: TestContext.Current.CancellationToken))
        {
            streamed.Add(item.Embedding);
        }

        Assert.Equal(expected, streamed);
    }
}
