using System;
using System.IO;
using System.Linq;
using GLuCoSE.Optimization;
using GLuCoSE.Optimization.Onnx;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Optimization;

/// <summary>
/// The float16 graph of both tiny exports: float16 weights, the float-range operators and the output kept in float,
/// and embeddings within 1e-2 of the PyTorch fp32 reference on every row. It runs here on ONNX Runtime's CPU
/// provider, which computes float16 operators it has no kernel for in float: the conversion is checked, not the GPU.
/// </summary>
public sealed class Float16ConversionTests
{
    [Theory]
    [MemberData(nameof(TestPaths.TinyExports), MemberType = typeof(TestPaths))]
    public void Convert_Float16_HalvesTheWeightsAndKeepsTheFloatRangeOperatorsInFloat(string export)
    {
        using var folder = new TempModelFolder();
        File.Copy(Path.Combine(TestPaths.TinyModel, export), folder.File("source.onnx"));

        string output = GlucoseModelOptimizer.Convert(folder.File("source.onnx"), GlucosePrecision.Float16, folder.File("model_fp16.onnx"), cancellationToken: TestContext.Current.CancellationToken);

        GraphProto graph = OnnxModelFile.Load(output).Model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var matMulWeights = graph.Node.Where(n => n.OpType == "MatMul" && initializers.ContainsKey(n.Input[1])).Select(n => initializers[n.Input[1]]).ToList();
        Assert.Equal(12, matMulWeights.Count);
        Assert.All(matMulWeights, w => Assert.Equal((int)TensorProto.Types.DataType.Float16, w.DataType));
        foreach (NodeProto node in graph.Node.Where(n => n.OpType is "LayerNormalization" or "Softmax" or "ReduceMean"))
        {
            // Each float input arrives through a cast up (or is a float parameter, or comes straight from another operator
            // kept in float, as a written-out layer norm's square does); each output leaves through a cast down.
            Assert.All(node.Input.Where(i => !initializers.ContainsKey(i) || initializers[i].DataType != (int)TensorProto.Types.DataType.Float),
                i => Assert.Contains(graph.Node, c => c.Output.Contains(i)
                    && ((c.OpType == "Cast" && c.Attribute.Single().I == (int)TensorProto.Types.DataType.Float) || c.OpType is "Pow" or "ReduceMean" or "Sqrt" or "LayerNormalization" or "Softmax")));
            Assert.Contains(graph.Node, c => c.OpType == "Cast" && c.Input.Contains(node.Output[0]) && c.Attribute.Single().I == (int)TensorProto.Types.DataType.Float16);
        }

        NodeProto last = graph.Node.Single(n => n.Output.Contains("last_hidden_state"));
        Assert.Equal(("Cast", (long)TensorProto.Types.DataType.Float), (last.OpType, last.Attribute.Single().I));
    }

    [Theory]
    [MemberData(nameof(TestPaths.TinyExports), MemberType = typeof(TestPaths))]
    public void Convert_Float16_EmbeddingsWithin1e2OfTheReference(string export)
    {
        using var folder = new TempModelFolder();
        File.Copy(Path.Combine(TestPaths.TinyModel, export), folder.File("source.onnx"));
        GlucoseModelOptimizer.Convert(folder.File("source.onnx"), GlucosePrecision.Float16, folder.File("model_fp16.onnx"), cancellationToken: TestContext.Current.CancellationToken);
        using var embedder = GlucoseEmbedder.Create(folder.Path, new GlucoseEmbedderOptions { ModelFileName = "model_fp16.onnx", BatchSize = 7 });

        float[][] embeddings = embedder.Encode(EmbeddingReference.TinyLuke.Rows.Select(r => r.Text).ToArray());

        double largest = 0;
        for (int i = 0; i < embeddings.Length; i++)
        {
            for (int d = 0; d < embeddings[i].Length; d++)
            {
                largest = Math.Max(largest, Math.Abs(embeddings[i][d] - EmbeddingReference.TinyLuke.Rows[i].Embedding[d]));
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{export} float16: largest difference from the fp32 reference {largest:E2}");
        Assert.True(largest <= 1e-2, $"largest difference {largest}");
    }

    [Fact]
    public void Convert_Float16OfAnInt8Graph_SaysItIsQuantized()
    {
        using var folder = new TempModelFolder();
        string int8 = GlucoseModelOptimizer.Convert(folder.Path, GlucosePrecision.Int8, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Throws<InvalidDataException>(() => GlucoseModelOptimizer.Convert(int8, GlucosePrecision.Float16, folder.File("half.onnx"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.False(File.Exists(folder.File("half.onnx")));
    }
}
