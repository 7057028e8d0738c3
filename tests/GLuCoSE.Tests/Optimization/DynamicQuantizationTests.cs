using System;
using System.IO;
using System.Linq;
using GLuCoSE.Optimization;
using GLuCoSE.Optimization.Onnx;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using static GLuCoSE.Tests.Infrastructure.OnnxGraphs;

namespace GLuCoSE.Tests.Optimization;

/// <summary>The int8 rewrite on small hand-made graphs: its edge cases.</summary>
public sealed class DynamicQuantizationTests
{
    [Fact]
    public void Int8_AWeightAlsoReadByAnotherOperator_KeepsItsFloatValues()
    {
        using var folder = new TempModelFolder(copyModel: false);
        float[] w = Enumerable.Range(1, 16 * 16).Select(i => i / 100f).ToArray();
        ModelProto model = Graph(
            [ValueInfo("x", FloatType, 2, 16)],
            [Node("MatMul", ["x", "w"], ["y"]), Node("Transpose", ["w"], ["wt"])],
            [ValueInfo("y", FloatType, 2, 16), ValueInfo("wt", FloatType, 16, 16)],
            [FloatTensor("w", [16, 16], w)]);
        string source = Save(folder, "source.onnx", model);

        OnnxModelFile file = OnnxModelFile.Load(source);
        Assert.Equal(1, DynamicQuantization.Apply(file, perChannel: false, _ => { }));
        OnnxModelWriter.Write(file.Model, file, folder.File("int8.onnx"), _ => { }, TestContext.Current.CancellationToken);

        // The Transpose still reads 'w': it must still hold its 256 floats.
        TensorProto kept = OnnxModelFile.Load(folder.File("int8.onnx")).Model.Graph.Initializer.Single(t => t.Name == "w");
        Assert.Equal(16 * 16 * sizeof(float), OnnxModelFile.DataLength(kept));
    }
}
