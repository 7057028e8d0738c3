using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using GLuCoSE.Optimization;
using GLuCoSE.Optimization.Onnx;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Optimization;

/// <summary>
/// Int8 quantization in .NET on the tiny model: the rewritten graph's structure, its embeddings against the PyTorch
/// fp32 reference, where it writes, and how it fails.
/// </summary>
public sealed class GlucoseModelOptimizerTests
{
    [Theory]
    [MemberData(nameof(TestPaths.TinyExports), MemberType = typeof(TestPaths))]
    public void Convert_TinyModel_QuantizesEveryWeightProductIntoDynamicQuantizeMatMul(string export)
    {
        using var folder = new TempModelFolder();
        File.Copy(Path.Combine(TestPaths.TinyModel, export), folder.File("source.onnx"));

        string output = GlucoseModelOptimizer.Convert(folder.File("source.onnx"), GlucosePrecision.Int8, folder.File("model_int8.onnx"), cancellationToken: TestContext.Current.CancellationToken);

        ModelProto model = OnnxModelFile.Load(output).Model;
        var quantized = model.Graph.Node.Where(n => n.OpType == "DynamicQuantizeMatMul").ToList();
        // 2 layers x (query, key, value, attention output, FFN in, FFN out), each with the bias of its Add folded in.
        Assert.Equal(12, quantized.Count);
        Assert.All(quantized, n => Assert.Equal(("com.microsoft", 5), (n.Domain, n.Input.Count)));
        Assert.Equal(4, model.Graph.Node.Count(n => n.OpType == "MatMul")); // the attention's own products stay float
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType is "MatMulInteger" or "DynamicQuantizeLinear");
        Assert.DoesNotContain(model.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 2 && t.Dims[0] == 32 && t.Dims[1] is 32 or 64);
        Dictionary<string, TensorProto> initializers = model.Graph.Initializer.ToDictionary(t => t.Name);
        Assert.All(quantized, n =>
        {
            Assert.Equal((int)TensorProto.Types.DataType.Int8, initializers[n.Input[1]].DataType);
            Assert.Empty(initializers[n.Input[2]].Dims); // one scale per weight, as quantize_dynamic
            Assert.Equal([0], initializers[n.Input[3]].Int32Data);
        });
        Assert.Contains(model.OpsetImport, o => o.Domain == "com.microsoft");
        Assert.Equal(GlucoseModelOptimizer.Sha256File(folder.File("source.onnx")), GlucoseModelOptimizer.ReadSourceSha256(output));
        Assert.True(File.Exists(output + ".data"));
    }

    [Theory]
    [MemberData(nameof(TestPaths.TinyExports), MemberType = typeof(TestPaths))]
    public void Convert_TinyModel_EmbeddingsStayCloseToTheFloatReference(string export)
    {
        using var folder = new TempModelFolder();
        File.Copy(Path.Combine(TestPaths.TinyModel, export), folder.File("source.onnx"));
        GlucoseModelOptimizer.Convert(folder.File("source.onnx"), GlucosePrecision.Int8, folder.File("model_int8.onnx"), cancellationToken: TestContext.Current.CancellationToken);

        using var embedder = GlucoseEmbedder.Create(folder.Path, new GlucoseEmbedderOptions { ModelFileName = "model_int8.onnx" });
        IReadOnlyList<EmbeddingRow> rows = EmbeddingReference.TinyLuke.Rows;
        float[][] int8 = embedder.Encode(rows.Select(r => r.Text).ToArray());
        float[][] fp32 = rows.Select(r => r.Embedding).ToArray();

        double[] plain = Cosines(fp32, int8, centered: false);
        double[] centered = Cosines(fp32, int8, centered: true);
        TestContext.Current.SendDiagnosticMessage(
            $"{export}: plain cosine mean {plain.Average():F6} min {plain.Min():F6}; centered mean {centered.Average():F4} min {centered.Min():F4}");
        // Measured on both exports (AMD Zen 5, AVX-512 VNNI): plain mean 0.99997 (min 0.999945), centered mean 0.9999
        // (min 0.9998). The bounds leave room for other CPUs' int8 kernels; a broken rewrite (a wrong scale, a
        // transposed weight, a lost zero point) falls far below them.
        Assert.True(plain.Min() > 0.9995, $"plain cosine min {plain.Min()}");
        Assert.True(centered.Average() > 0.995, $"centered cosine mean {centered.Average()}");
        Assert.True(centered.Min() > 0.99, $"centered cosine min {centered.Min()}");
    }

    [Fact]
    public void Quantize_PerTensor_RoundsHalfToEvenOnTheSymmetricScale()
    {
        // scale = max|w| / 127 = 0.01: 0.5 -> 50, -1.27 -> -127, 0.005 -> 0.5 -> 0 (even), 0.015 -> 1.5 -> 2 (even).
        float[] weight = [0.5f, -1.27f, 0.005f, 0.015f];
        var quantized = new sbyte[4];
        var scale = new float[1];

        DynamicQuantization.Quantize(weight, 2, 2, perChannel: false, quantized, scale);

        Assert.Equal(2f * 1.27f / 254f, scale[0]);
        Assert.Equal(new sbyte[] { 50, -127, 0, 2 }, quantized);
    }

    [Fact]
    public void Quantize_PerChannel_ScalesEachColumnAndAllZeroColumnsByOne()
    {
        float[] weight = [1.27f, 0f, -0.635f, 0f];
        var quantized = new sbyte[4];
        var scales = new float[2];

        DynamicQuantization.Quantize(weight, 2, 2, perChannel: true, quantized, scales);

        Assert.Equal(new[] { 2f * 1.27f / 254f, 1f }, scales);
        Assert.Equal(new sbyte[] { 127, 0, -64, 0 }, quantized);
    }

    [Fact]
    public void Convert_Folder_WritesModelInt8BesideTheGraphAndReportsProgress()
    {
        using var folder = new TempModelFolder();
        var reports = new List<double>();

        string output = GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Int8, progress: new SynchronousProgress(reports.Add), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(folder.File("model_int8.onnx"), output);
        Assert.NotEmpty(reports);
        Assert.Equal(1.0, reports[^1]);
        Assert.Equal(reports.Order(), reports);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.partial"));
    }

    [Fact]
    public void Convert_Canceled_LeavesNothingBehind()
    {
        using var folder = new TempModelFolder();
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(fraction =>
        {
            if (fraction > 0.5)
            {
                cancellation.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() =>
            GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Int8, progress: progress, cancellationToken: cancellation.Token));

        Assert.False(File.Exists(folder.File("model_int8.onnx")));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.partial"));
    }

    [Fact]
    public void Convert_AfterAnInterruptedRun_ReplacesItsPartialFilesAndLoads()
    {
        using var folder = new TempModelFolder();
        File.WriteAllText(folder.File("model_int8.onnx.partial"), "left by a killed run");
        File.WriteAllText(folder.File("model_int8.onnx.data.partial"), "left by a killed run");

        GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Int8, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(Directory.GetFiles(folder.Path, "*.partial"));
        using var embedder = GlucoseEmbedder.Create(folder.Path, new GlucoseEmbedderOptions { ModelFileName = "model_int8.onnx" });
        Assert.Equal(32, embedder.Encode("今日は晴れです。").Length);
    }

    [Fact]
    public void Convert_DiskFull_SaysHowMuchIsNeededAndLeavesNothing()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists("/dev/full"), "/dev/full answers every write with ENOSPC");
        using var folder = new TempModelFolder();
        File.CreateSymbolicLink(folder.File("model_int8.onnx.data.partial"), "/dev/full");

        var error = Assert.Throws<IOException>(() => GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Int8, cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith($"The disk is full: writing '{folder.File("model_int8.onnx")}'", error.Message, StringComparison.Ordinal);
        Assert.True(DiskErrors.IsDiskFull(Assert.IsAssignableFrom<IOException>(error.InnerException)));
        Assert.False(File.Exists(folder.File("model_int8.onnx")));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.partial"));
    }

    [Fact]
    public void Convert_OverAnOlderGraph_ReplacesBothFilesAndLeavesNothingAside()
    {
        using var folder = new TempModelFolder();
        GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Float16, folder.File("out.onnx"), cancellationToken: TestContext.Current.CancellationToken);

        GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Int8, folder.File("out.onnx"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains(OnnxModelFile.Load(folder.File("out.onnx")).Model.Graph.Node, n => n.OpType == "DynamicQuantizeMatMul");
        Assert.False(File.Exists(folder.File("out.onnx.old")));
        using var embedder = GlucoseEmbedder.Create(folder.Path, new GlucoseEmbedderOptions { ModelFileName = "out.onnx" });
        Assert.Equal(32, embedder.Encode("今日は晴れです。").Length);
    }

    [Fact]
    public void Convert_AlreadyQuantized_SaysSo()
    {
        using var folder = new TempModelFolder();
        string int8 = GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Int8, cancellationToken: TestContext.Current.CancellationToken);

        var error = Assert.Throws<InvalidDataException>(() => GlucoseModelOptimizer.Convert(int8, GlucosePrecision.Int8, folder.File("again.onnx"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("already quantized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_GraphWithoutTextInputs_SaysItIsNotAnEncoder()
    {
        using var folder = new TempModelFolder();
        OnnxModelFile file = OnnxModelFile.Load(folder.File("model.onnx"));
        file.Model.Graph.Input.Single(i => i.Name == "attention_mask").Name = "pixel_values";
        using (FileStream stream = File.Create(folder.File("other.onnx")))
        {
            Google.Protobuf.MessageExtensions.WriteTo(file.Model, stream);
        }

        var error = Assert.Throws<InvalidDataException>(() => GlucoseModelOptimizer.Convert(folder.File("other.onnx"), GlucosePrecision.Int8, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("not the ONNX graph of a LUKE/BERT-style text encoder: no 'attention_mask' input", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("model_int8.onnx")));
    }

    [Fact]
    public void Convert_NotAnOnnxFile_ThrowsInvalidData()
    {
        using var folder = new TempModelFolder(copyModel: false);
        File.WriteAllBytes(folder.File("model.onnx"), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);

        Assert.Throws<InvalidDataException>(() => GlucoseModelOptimizer.Convert(folder.File("model.onnx"), GlucosePrecision.Int8, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Convert_MissingExternalData_NamesTheFile()
    {
        using var folder = new TempModelFolder();
        string int8 = GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Int8, cancellationToken: TestContext.Current.CancellationToken);
        // An fp32 graph with external data (as export_onnx.py writes them): made here by dequantizing nothing, just
        // moving the tiny graph's weights out, then deleting the data file.
        OnnxModelFile source = OnnxModelFile.Load(folder.File("model.onnx"));
        OnnxModelWriter.Write(source.Model, source, folder.File("external.onnx"), _ => { }, TestContext.Current.CancellationToken);
        File.Delete(folder.File("external.onnx.data"));
        _ = int8;

        var error = Assert.Throws<InvalidDataException>(() => GlucoseModelOptimizer.Convert(folder.File("external.onnx"), GlucosePrecision.Int8, folder.File("out.onnx"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("external.onnx.data", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("out.onnx")));
    }

    [Fact]
    public void Convert_ExternalDataGraph_GivesTheSameGraphAsTheInlineOne()
    {
        using var folder = new TempModelFolder();
        OnnxModelFile source = OnnxModelFile.Load(folder.File("model.onnx"));
        OnnxModelWriter.Write(source.Model, source, folder.File("external.onnx"), _ => { }, TestContext.Current.CancellationToken);

        GlucoseModelOptimizer.Convert(folder.File("model.onnx"), GlucosePrecision.Int8, folder.File("a.onnx"), cancellationToken: TestContext.Current.CancellationToken);
        GlucoseModelOptimizer.Convert(folder.File("external.onnx"), GlucosePrecision.Int8, folder.File("b.onnx"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(File.ReadAllBytes(folder.File("a.onnx.data")), File.ReadAllBytes(folder.File("b.onnx.data")));
    }

    [Fact]
    public void Convert_BadArguments_Throw()
    {
        using var folder = new TempModelFolder();

        Assert.Throws<ArgumentNullException>(() => GlucoseModelOptimizer.Convert(null!, GlucosePrecision.Int8, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentException>(() => GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Float32, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentException>(() => GlucoseModelOptimizer.Convert(folder.File("model.onnx"), GlucosePrecision.Int8, folder.File("model.onnx"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<FileNotFoundException>(() => GlucoseModelOptimizer.Convert(folder.File("missing.onnx"), GlucosePrecision.Int8, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<FileNotFoundException>(() => GlucoseModelOptimizer.Convert(Directory.CreateDirectory(folder.File("empty")).FullName, GlucosePrecision.Int8, cancellationToken: TestContext.Current.CancellationToken));
    }

    private static double[] Cosines(float[][] reference, float[][] other, bool centered)
    {
        int dimensions = reference[0].Length;
        var referenceMean = new double[dimensions];
        var otherMean = new double[dimensions];
        if (centered)
        {
            for (int i = 0; i < reference.Length; i++)
            {
                for (int d = 0; d < dimensions; d++)
                {
                    referenceMean[d] += reference[i][d] / (double)reference.Length;
                    otherMean[d] += other[i][d] / (double)other.Length;
                }
            }
        }

        return reference.Select((row, i) => (double)Similarity.Cosine(
            row.Select((x, d) => (float)(x - referenceMean[d])).ToArray(),
            other[i].Select((x, d) => (float)(x - otherMean[d])).ToArray())).ToArray();
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
