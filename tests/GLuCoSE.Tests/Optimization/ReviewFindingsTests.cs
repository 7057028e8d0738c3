using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using GLuCoSE.Optimization;
using GLuCoSE.Optimization.Onnx;
using GLuCoSE.Tests.Infrastructure;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace GLuCoSE.Tests.Optimization;

/// <summary>Small hand-made graphs for the rewrites' edge cases (review findings).</summary>
public sealed class ReviewFindingsTests
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Int64 = (int)TensorProto.Types.DataType.Int64;

    [Fact]
    public void Int8_AWeightAlsoReadByAnotherOperator_KeepsItsFloatValues()
    {
        using var folder = new TempModelFolder(copyModel: false);
        float[] w = Enumerable.Range(1, 16 * 16).Select(i => i / 100f).ToArray();
        ModelProto model = Model(
            [ValueInfo("x", Float, 2, 16)],
            [Node("MatMul", ["x", "w"], ["y"]), Node("Transpose", ["w"], ["wt"])],
            [ValueInfo("y", Float, 2, 16), ValueInfo("wt", Float, 16, 16)],
            [FloatTensor("w", [16, 16], w)]);
        string source = Save(folder, "source.onnx", model);

        OnnxModelFile file = OnnxModelFile.Load(source);
        Assert.Equal(1, DynamicQuantization.Apply(file, perChannel: false, _ => { }));
        OnnxModelWriter.Write(file.Model, file, folder.File("int8.onnx"), _ => { }, TestContext.Current.CancellationToken);

        // The Transpose still reads 'w': it must still hold its 256 floats.
        TensorProto kept = OnnxModelFile.Load(folder.File("int8.onnx")).Model.Graph.Initializer.Single(t => t.Name == "w");
        Assert.Equal(16 * 16 * sizeof(float), OnnxModelFile.DataLength(kept));
    }

    [Fact]
    public void Float16_AnInitializerAlsoListedAsAGraphInput_Loads()
    {
        // Older exporters (IR < 4) list every initializer among the graph's inputs.
        using var folder = new TempModelFolder(copyModel: false);
        ModelProto model = Model(
            [ValueInfo("input_ids", Int64, 2, 4), ValueInfo("w", Float, 4)],
            [Cast("input_ids", "f", Float), Node("Mul", ["f", "w"], ["out"])],
            [ValueInfo("out", Float, 2, 4)],
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
        ModelProto model = Model(
            [ValueInfo("input_ids", Int64, 2, 4)],
            [Node("Shape", ["input_ids"], ["shape"]), Node("ConstantOfShape", ["shape"], ["zeros"]), Cast("input_ids", "f", Float), Node("Add", ["f", "zeros"], ["out"])],
            [ValueInfo("out", Float, 2, 4)],
            []);

        float[] result = ConvertFloat16AndRun(folder, model);

        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, result);
    }

    [Fact]
    public void Float16_AFloatGraphInput_StaysFloatAndLoads()
    {
        // keep_io_types: a float input (an attention mask exported as float, say) stays float and is cast down inside.
        using var folder = new TempModelFolder(copyModel: false);
        ModelProto model = Model(
            [ValueInfo("input_ids", Int64, 2, 4), ValueInfo("mask", Float, 2, 4)],
            [Cast("input_ids", "f", Float), Node("Mul", ["f", "mask"], ["m"]), Node("Mul", ["m", "w"], ["out"])],
            [ValueInfo("out", Float, 2, 4)],
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
        ModelProto model = Model(
            [ValueInfo("input_ids", Int64, 2, 4)],
            [Cast("input_ids", "f", Float), Node("Mul", ["f", "hundred"], ["x"]), Node("Pow", ["x", "two"], ["squared"]), mean, Node("Sqrt", ["variance"], ["out"])],
            [ValueInfo("out", Float, 2, 1)],
            [FloatTensor("hundred", [], [100]), FloatTensor("two", [], [2])]);

        float[] result = ConvertFloat16AndRun(folder, model);

        Assert.InRange(result[0], 273f, 275f); // sqrt(mean(100², 200², 300², 400²)) = 273.9
        Assert.InRange(result[1], 659f, 660f); // sqrt(mean(500², ..., 800²)) = 659.5
    }

    [Fact]
    public void ReadBytes_AnOffsetNearLongMaxValue_IsInvalidData()
    {
        using var folder = new TempModelFolder(copyModel: false);
        File.WriteAllBytes(folder.File("w.data"), new byte[64]);
        var tensor = new TensorProto { Name = "w", DataType = Float, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.Add(16);
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "w.data" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "9223372036854775800" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "64" });
        ModelProto model = Model([ValueInfo("x", Float, 16)], [Node("Add", ["x", "w"], ["y"])], [ValueInfo("y", Float, 16)], [tensor]);
        OnnxModelFile file = OnnxModelFile.Load(Save(folder, "source.onnx", model));

        Assert.Throws<InvalidDataException>(() => file.ReadBytes(file.Model.Graph.Initializer[0]));
    }

    [Fact]
    public void Writer_AnotherWritersPartialFile_IsNotDeleted()
    {
        // Two processes converting the same folder (EnsureInUserFolder takes no lock): the one that cannot open the
        // .partial file must not delete the other's.
        using var folder = new TempModelFolder(copyModel: false);
        float[] w = new float[1024];
        ModelProto model = Model(
            [ValueInfo("x", Float, 2, 32)],
            [Node("MatMul", ["x", "w"], ["y"])],
            [ValueInfo("y", Float, 2, 32)],
            [FloatTensor("w", [32, 32], w)]);
        string source = Save(folder, "source.onnx", model);
        string target = folder.File("model_int8.onnx");
        OnnxModelFile file = OnnxModelFile.Load(source);

        using (var other = new FileStream(target + ".data.partial", FileMode.Create, FileAccess.Write, FileShare.None))
        {
            other.Write(new byte[100]);
            other.Flush();
            Assert.ThrowsAny<IOException>(() => OnnxModelWriter.Write(file.Model, file, target, _ => { }, TestContext.Current.CancellationToken));
            Assert.True(File.Exists(target + ".data.partial"), "the other writer's .data.partial was deleted");
            Assert.Equal(100, new FileInfo(target + ".data.partial").Length);
        }
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

    private static string Save(TempModelFolder folder, string name, ModelProto model)
    {
        string path = folder.File(name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static ModelProto Model(ValueInfoProto[] inputs, NodeProto[] nodes, ValueInfoProto[] outputs, TensorProto[] initializers)
    {
        var graph = new GraphProto { Name = "review" };
        graph.Input.AddRange(inputs);
        graph.Node.AddRange(nodes);
        graph.Output.AddRange(outputs);
        graph.Initializer.AddRange(initializers);
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs) => OnnxNodes.Create(op, op + "_" + outputs[0], inputs, outputs);

    private static NodeProto Cast(string input, string output, int to)
    {
        NodeProto cast = Node("Cast", [input], [output]);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = to });
        return cast;
    }

    private static ValueInfoProto ValueInfo(string name, int type, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long dim in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = type, Shape = shape } } };
    }

    private static TensorProto FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
