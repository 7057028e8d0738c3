using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using GLuCoSE.Optimization;
using GLuCoSE.Optimization.Onnx;
using Google.Protobuf;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>
/// Small hand-made ONNX graphs, built with the library's generated ONNX classes: the model-folder fault tests' graphs of
/// the wrong shape, and the pieces the rewrite tests assemble their edge cases from.
/// </summary>
internal static class OnnxGraphs
{
    public const int FloatType = (int)TensorProto.Types.DataType.Float;
    public const int Int64Type = (int)TensorProto.Types.DataType.Int64;

    /// <summary>input_ids and attention_mask in, input_ids cast to float out: no rank-3 float output.</summary>
    public static byte[] WithoutTokenStates() => Graph(
        [ValueInfo("input_ids", Int64Type, "batch", "sequence"), ValueInfo("attention_mask", Int64Type, "batch", "sequence")],
        [Cast("input_ids", "out", FloatType)],
        [ValueInfo("out", FloatType, "batch", "sequence")],
        []).ToByteArray();

    /// <summary>A graph whose only input is named <paramref name="name"/>.</summary>
    public static byte[] WithInput(string name) => Graph(
        [ValueInfo(name, Int64Type, "batch", "sequence")],
        [Cast(name, "out", FloatType)],
        [ValueInfo("out", FloatType, "batch", "sequence")],
        []).ToByteArray();

    /// <summary>input_ids, attention_mask and <paramref name="extra"/> in: an input the library cannot feed.</summary>
    public static byte[] WithExtraInput(string extra) => Graph(
        [ValueInfo("input_ids", Int64Type, "batch", "sequence"), ValueInfo("attention_mask", Int64Type, "batch", "sequence"), ValueInfo(extra, Int64Type, "batch", "sequence")],
        [Gather("table", "input_ids", "states")],
        [ValueInfo("states", FloatType, "batch", "sequence", 4)],
        [Table("table", 8, 4)]).ToByteArray();

    /// <summary>
    /// A token-state graph (an embedding lookup, [batch, sequence, width]) whose table holds only
    /// <paramref name="vocabulary"/> rows.
    /// </summary>
    public static byte[] EmbeddingLookup(int vocabulary, int width) => Graph(
        [ValueInfo("input_ids", Int64Type, "batch", "sequence"), ValueInfo("attention_mask", Int64Type, "batch", "sequence")],
        [Gather("table", "input_ids", "states")],
        [ValueInfo("states", FloatType, "batch", "sequence", width)],
        [Table("table", vocabulary, width)]).ToByteArray();

    /// <summary>An opset-17 model of one graph.</summary>
    public static ModelProto Graph(ValueInfoProto[] inputs, NodeProto[] nodes, ValueInfoProto[] outputs, TensorProto[] initializers)
    {
        var graph = new GraphProto { Name = "test" };
        graph.Input.AddRange(inputs);
        graph.Node.AddRange(nodes);
        graph.Output.AddRange(outputs);
        graph.Initializer.AddRange(initializers);
        var model = new ModelProto { IrVersion = 8, ProducerName = "glucose-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model;
    }

    public static NodeProto Node(string op, string[] inputs, string[] outputs) => OnnxNodes.Create(op, op + "_" + outputs[0], inputs, outputs);

    public static NodeProto Cast(string input, string output, int to)
    {
        NodeProto cast = Node("Cast", [input], [output]);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = to });
        return cast;
    }

    /// <summary>A tensor value's name, element type and shape; a dimension is a number or a symbolic name.</summary>
    public static ValueInfoProto ValueInfo(string name, int type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (object dim in dims)
        {
            shape.Dim.Add(dim is string symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = type, Shape = shape } } };
    }

    public static TensorProto FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>Writes <paramref name="model"/> into <paramref name="folder"/> and returns its path.</summary>
    public static string Save(TempModelFolder folder, string name, ModelProto model)
    {
        string path = folder.File(name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static NodeProto Gather(string table, string indices, string output)
    {
        NodeProto gather = Node("Gather", [table, indices], [output]);
        gather.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        return gather;
    }

    private static TensorProto Table(string name, int rows, int width) =>
        FloatTensor(name, [rows, width], Enumerable.Range(0, rows * width).Select(i => i * 0.01f).ToArray());
}
