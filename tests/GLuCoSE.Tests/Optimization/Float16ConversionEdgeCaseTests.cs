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

/// <summary>The float16 conversion on small hand-made graphs: its edge cases, run on the CPU provider.</summary>
public sealed class Float16ConversionEdgeCaseTests
{
    [Fact]
    public void Float16_AnInitializerAlsoListedAsAGraphInput_Loads()
    {
        // Older exporters (IR < 4) list every initializer among the graph's inputs.
        using var folder = new TempModelFolder(copyModel: false);
        ModelProto model = Graph(
            [ValueInfo("input_ids", Int64Type, 2, 4), ValueInfo("w", FloatType, 4)],
            [Cast("input_ids", "f", FloatType), Node("Mul", ["f", "w"], ["out"])],
            [ValueInfo("out", FloatType, 2, 4)],
            [FloatTensor("w", [4], [1, 2, 3, 4])]);
        model.IrVersion = 3;

        float[] result = ConvertFloat16AndRun(folder, model);

        Assert.Equal(new float[] { 1, 4, 9, 16, 5, 12, 21, 32 }, result);
    }

    [Fact]
    public void Float16_ConstantOfShapeWithoutAValue_Loads()
    {
        // ConstantOfShape without 'value' makes float zeros; after the conversion its readers are float16.
        using var folder = new TempModelFolder(copyModel: false);
        ModelProto model = Graph(
            [ValueInfo("input_ids", Int64Type, 2, 4)],
            [Node("Shape", ["input_ids"], ["shape"]), Node("ConstantOfShape", ["shape"], ["zeros"]), Cast("input_ids", "f", FloatType), Node("Add", ["f", "zeros"], ["out"])],
            [ValueInfo("out", FloatType, 2, 4)],
            []);

        float[] result = ConvertFloat16AndRun(folder, model);

        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, result);
    }

    [Fact]
    public void Float16_AFloatGraphInput_StaysFloatAndLoads()
    {
        // keep_io_types: a float input (an attention mask exported as float, say) stays float and is cast down inside.
        using var folder = new TempModelFolder(copyModel: false);
        ModelProto model = Graph(
            [ValueInfo("input_ids", Int64Type, 2, 4), ValueInfo("mask", FloatType, 2, 4)],
            [Cast("input_ids", "f", FloatType), Node("Mul", ["f", "mask"], ["m"]), Node("Mul", ["m", "w"], ["out"])],
            [ValueInfo("out", FloatType, 2, 4)],
            [FloatTensor("w", [4], [1, 1, 1, 1])]);
        string source = Save(folder, "source.onnx", model);
        OnnxModelFile file = OnnxModelFile.Load(source);
        Float16Conversion.Apply(file);
        OnnxModelWriter.Write(file.Model, file, folder.File("fp16.onnx"), _ => { }, TestContext.Current.CancellationToken);

        using var session = new InferenceSession(folder.File("fp16.onnx"));
        var ids = new DenseTensor<long>(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [2, 4]);
        var mask = new DenseTensor<float>(new float[] { 1, 1, 0, 0, 1, 1, 1, 0 }, [2, 4]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input_ids", ids), NamedOnnxValue.CreateFromTensor("mask", mask)]);

        Assert.Equal(new float[] { 1, 2, 0, 0, 5, 6, 7, 0 }, results.Single().AsEnumerable<float>().ToArray());
    }

    [Fact]
    public void Float16_AWrittenOutLayerNormsSquare_StaysInFloatBetweenPowAndReduceMean()
    {
        // The opset-11 export's layer norm: ReduceMean(Pow(x - mean, 2)). Both run in float; the square between them
        // must not pass through float16, whose range it leaves at |x - mean| > 256.
        using var folder = new TempModelFolder(copyModel: false);
        NodeProto mean = Node("ReduceMean", ["squared"], ["variance"]);
        mean.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { -1 } });
        ModelProto model = Graph(
            [ValueInfo("input_ids", Int64Type, 2, 4)],
            [Cast("input_ids", "f", FloatType), Node("Mul", ["f", "hundred"], ["x"]), Node("Pow", ["x", "two"], ["squared"]), mean, Node("Sqrt", ["variance"], ["out"])],
            [ValueInfo("out", FloatType, 2, 1)],
            [FloatTensor("hundred", [], [100]), FloatTensor("two", [], [2])]);

        float[] result = ConvertFloat16AndRun(folder, model);

        Assert.InRange(result[0], 273f, 275f); // sqrt(mean(100², 200², 300², 400²)) = 273.9
        Assert.InRange(result[1], 659f, 660f); // sqrt(mean(500², ..., 800²)) = 659.5
    }

    private static float[] ConvertFloat16AndRun(TempModelFolder folder, ModelProto model)
    {
        string source = Save(folder, "source.onnx", model);
        OnnxModelFile file = OnnxModelFile.Load(source);
        Float16Conversion.Apply(file);
        OnnxModelWriter.Write(file.Model, file, folder.File("fp16.onnx"), _ => { }, TestContext.Current.CancellationToken);

        using var session = new InferenceSession(folder.File("fp16.onnx"));
        var ids = new DenseTensor<long>(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [2, 4]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input_ids", ids)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }
}
