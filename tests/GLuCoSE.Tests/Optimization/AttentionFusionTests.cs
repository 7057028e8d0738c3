using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GLuCoSE.Optimization;
using GLuCoSE.Optimization.Onnx;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Optimization;

/// <summary>
/// The attention fusion on both exports of the tiny model: what it rewrites, and that the embeddings stay within 1e-4 of
/// the unfused graph's (and of the PyTorch reference) on every reference row, batched with padding.
/// </summary>
public sealed class AttentionFusionTests
{
    [Theory]
    [MemberData(nameof(TestPaths.TinyExports), MemberType = typeof(TestPaths))]
    public void Apply_TinyModel_FusesEveryAttentionAndDropsTheEntitySlices(string export)
    {
        OnnxModelFile file = OnnxModelFile.Load(Path.Combine(TestPaths.TinyModel, export));
        int slicesBefore = file.Model.Graph.Node.Count(n => n.OpType == "Slice");

        (int attentions, int slices) = AttentionFusion.Apply(file);

        Dictionary<string, int> ops = file.Model.Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, attentions);
        Assert.Equal(2, ops["MultiHeadAttention"]);
        Assert.All(file.Model.Graph.Node.Where(n => n.OpType == "MultiHeadAttention"), n =>
        {
            Assert.Equal("com.microsoft", n.Domain);
            Assert.Equal(4, n.Attribute.Single(a => a.Name == "num_heads").I);
            Assert.Equal(1 / MathF.Sqrt(8), n.Attribute.Single(a => a.Name == "scale").F, 6);
        });
        Assert.False(ops.ContainsKey("Softmax"));
        Assert.False(ops.ContainsKey("Transpose"));
        // Three row-keeping Slices a layer; the last layer's last one writes the graph's output and stays.
        Assert.Equal(6, slicesBefore);
        Assert.Equal(5, slices);
        Assert.Equal(1, ops["Slice"]);
        Assert.Contains(file.Model.OpsetImport, o => o.Domain == "com.microsoft");
    }

    [Theory]
    [MemberData(nameof(TestPaths.TinyExports), MemberType = typeof(TestPaths))]
    public void Fused_ReferenceRowsInBatches_WithinToleranceOfTheUnfusedGraph(string export)
    {
        using var folder = new TempModelFolder();
        File.Copy(Path.Combine(TestPaths.TinyModel, export), folder.File("source.onnx"));
        GlucoseModelOptimizer.Rewrite(folder.File("source.onnx"), folder.File("fused.onnx"), new GlucoseModelOptimizer.Rewrites(Fuse: true, Quantize: false, PerChannel: false), null, TestContext.Current.CancellationToken);
        string[] texts = EmbeddingReference.TinyLuke.Rows.Select(r => r.Text).ToArray();

        float[][] unfused = Encode(folder.Path, "source.onnx", texts, batchSize: 7);
        float[][] fused = Encode(folder.Path, "fused.onnx", texts, batchSize: 7);

        double largest = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            for (int d = 0; d < fused[i].Length; d++)
            {
                largest = Math.Max(largest, Math.Abs(fused[i][d] - unfused[i][d]));
                Assert.True(Math.Abs(fused[i][d] - EmbeddingReference.TinyLuke.Rows[i].Embedding[d]) <= 1e-4, $"row {i}, component {d}: {fused[i][d]} vs PyTorch {EmbeddingReference.TinyLuke.Rows[i].Embedding[d]}");
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{export}: largest |fused - unfused| over {texts.Length} rows: {largest:E2}");
        Assert.True(largest <= 1e-4, $"largest difference {largest}");
    }

    [Fact]
    public void Apply_GraphWithoutTheAttentionPattern_ChangesNothing()
    {
        OnnxModelFile file = OnnxModelFile.Load(Path.Combine(TestPaths.TinyModel, "model.onnx"));
        foreach (NodeProto softmax in file.Model.Graph.Node.Where(n => n.OpType == "Softmax"))
        {
            softmax.OpType = "LogSoftmax"; // no longer attention: must be left alone
        }

        int nodes = file.Model.Graph.Node.Count;

        (int attentions, int slices) = AttentionFusion.Apply(file);

        // Without the fused attention the Slices cannot be shown to keep every row (the context comes out of a
        // Reshape), so they stay too.
        Assert.Equal((0, 0), (attentions, slices));
        Assert.Equal(nodes, file.Model.Graph.Node.Count);
        Assert.DoesNotContain(file.Model.Graph.Node, n => n.OpType == "MultiHeadAttention");
    }

    private static float[][] Encode(string folder, string graph, string[] texts, int batchSize)
    {
        using var embedder = GlucoseEmbedder.Create(folder, new GlucoseEmbedderOptions { ModelFileName = graph, BatchSize = batchSize });
        return embedder.Encode(texts);
    }
}
