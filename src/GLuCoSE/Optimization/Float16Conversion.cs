using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using GLuCoSE.Optimization.Onnx;
using Google.Protobuf;

namespace GLuCoSE.Optimization;

/// <summary>
/// Converts a float graph to float16 for the GPU, as onnxruntime's float16 converter does with its defaults plus
/// <c>keep_io_types</c>: every float weight, constant and intermediate becomes float16, except around the operators
/// that need float's range (<c>LayerNormalization</c>, <c>Softmax</c>, and the mean, power and square root of a layer
/// norm written out), which run in float with casts on their way in and out; the graph's float output (the pooling
/// input) is cast back to float.
/// </summary>
/// <remarks>
/// Values beyond float16's range are clamped to ±65,504 (the attention mask's "minus infinity" included), and nonzero
/// values below its smallest normal number keep their sign at ±2⁻²⁴ rather than becoming 0. The element types are
/// followed through the graph by each operator's rule; a graph with an operator this class does not know is refused
/// rather than guessed at.
/// </remarks>
internal static class Float16Conversion
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Float16 = (int)TensorProto.Types.DataType.Float16;

    /// <summary>Operators that run in float: their float inputs are cast up and their outputs back down.</summary>
    private static readonly HashSet<string> KeptInFloat = new(StringComparer.Ordinal) { "LayerNormalization", "Softmax", "ReduceMean", "Pow", "Sqrt" };

    /// <summary>Operators whose output has the element type of their first input.</summary>
    private static readonly HashSet<string> SameAsFirstInput = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "MatMul", "Erf", "Sqrt", "Pow", "Neg", "Abs", "Exp", "Tanh", "Relu", "Reshape",
        "Transpose", "Slice", "Unsqueeze", "Squeeze", "Concat", "Expand", "Softmax", "LayerNormalization", "ReduceMean",
        "Identity", "Flatten", "Split", "Gather", "CumSum", "Range", "Max", "Min", "Clip", "Tile", "Gelu", "BiasGelu",
        "FusedMatMul", "MultiHeadAttention", "SkipLayerNormalization",
    };

    /// <summary>Operators whose output is int64 or bool whatever their inputs.</summary>
    private static readonly Dictionary<string, int> FixedOutput = new(StringComparer.Ordinal)
    {
        ["Shape"] = (int)TensorProto.Types.DataType.Int64,
        ["Size"] = (int)TensorProto.Types.DataType.Int64,
        ["NonZero"] = (int)TensorProto.Types.DataType.Int64,
        ["Equal"] = (int)TensorProto.Types.DataType.Bool,
        ["Not"] = (int)TensorProto.Types.DataType.Bool,
        ["And"] = (int)TensorProto.Types.DataType.Bool,
        ["Or"] = (int)TensorProto.Types.DataType.Bool,
        ["Less"] = (int)TensorProto.Types.DataType.Bool,
        ["Greater"] = (int)TensorProto.Types.DataType.Bool,
        ["LessOrEqual"] = (int)TensorProto.Types.DataType.Bool,
        ["GreaterOrEqual"] = (int)TensorProto.Types.DataType.Bool,
    };

    /// <summary>Converts <paramref name="file"/>'s model in place; returns how many operators were kept in float.</summary>
    /// <exception cref="InvalidDataException">The graph has an operator whose output type this converter cannot tell.</exception>
    public static int Apply(OnnxModelFile file)
    {
        GraphProto graph = file.Model.Graph;
        Dictionary<string, int> types = ElementTypes(graph);
        var view = new GraphView(graph);

        // Float initializers and constants become float16, unless only operators kept in float read them.
        var readInFloat = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorProto tensor in graph.Initializer.Where(t => t.DataType == Float).ToList())
        {
            if (view.Consumers(tensor.Name).Count > 0 && view.Consumers(tensor.Name).All(n => KeptInFloat.Contains(n.OpType)))
            {
                readInFloat.Add(tensor.Name);
                continue;
            }

            ToFloat16(file, tensor);
        }

        // Values passed from one operator kept in float to others only (a written-out layer norm's Pow to its
        // ReduceMean) stay float: a round trip through float16 would overflow the square the float is kept for.
        var graphOutputNames = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var staysFloat = new HashSet<string>(
            graph.Node.Where(n => KeptInFloat.Contains(n.OpType)).SelectMany(n => n.Output)
                .Where(o => o.Length > 0 && !graphOutputNames.Contains(o) && view.Consumers(o).Count > 0 && view.Consumers(o).All(c => KeptInFloat.Contains(c.OpType))),
            StringComparer.Ordinal);

        var nodes = new List<NodeProto>(graph.Node.Count + 64);
        int kept = 0;

        // keep_io_types: a float graph input stays float and is cast down once; its readers read the float16 copy.
        foreach (ValueInfoProto input in graph.Input.Where(i => i.Type?.TensorType?.ElemType == Float && !view.Initializers.ContainsKey(i.Name)))
        {
            string half = view.Names.Take(input.Name + "_float16");
            foreach (NodeProto node in graph.Node)
            {
                for (int i = 0; i < node.Input.Count; i++)
                {
                    if (node.Input[i] == input.Name)
                    {
                        node.Input[i] = half;
                    }
                }
            }

            types[half] = Float;
            nodes.Add(CastTo(Float16, view.Names.Take(input.Name + "_Cast_float16"), input.Name, half));
        }
        foreach (NodeProto node in graph.Node)
        {
            if (node.OpType == "Constant" && node.Attribute.FirstOrDefault(a => a.Name == "value") is { T: { DataType: Float } value })
            {
                ToFloat16(file, value);
            }
            else if (node.OpType == "ConstantOfShape" && node.Attribute.FirstOrDefault(a => a.Name == "value") is { T: { DataType: Float } fill })
            {
                ToFloat16(file, fill);
            }
            else if (node.OpType == "ConstantOfShape" && !node.Attribute.Any(a => a.Name == "value"))
            {
                // Without a value it makes float zeros (ElementTypes counts it float): make them float16 zeros.
                var zero = new TensorProto { DataType = Float16, RawData = ByteString.CopyFrom(0, 0) };
                zero.Dims.Add(1);
                node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = zero });
            }
            else if (node.OpType == "Cast" && node.Attribute.FirstOrDefault(a => a.Name == "to") is { I: Float } to)
            {
                to.I = Float16;
            }

            if (!KeptInFloat.Contains(node.OpType))
            {
                nodes.Add(node);
                continue;
            }

            // In float: cast the float16 inputs up, and each float output back down under its own name.
            for (int i = 0; i < node.Input.Count; i++)
            {
                string input = node.Input[i];
                if (input.Length == 0 || readInFloat.Contains(input) || staysFloat.Contains(input) || types.GetValueOrDefault(input) != Float)
                {
                    continue;
                }

                string up = view.Names.Take(input + "_float32");
                nodes.Add(CastTo(Float, view.Names.Take(input + "_Cast_float32"), input, up));
                node.Input[i] = up;
            }

            nodes.Add(node);
            for (int o = 0; o < node.Output.Count; o++)
            {
                string output = node.Output[o];
                if (output.Length == 0 || staysFloat.Contains(output) || types.GetValueOrDefault(output) != Float)
                {
                    continue;
                }

                string inFloat = view.Names.Take(output + "_float32");
                node.Output[o] = inFloat;
                nodes.Add(CastTo(Float16, view.Names.Take(output + "_Cast_float16"), inFloat, output));
            }

            kept++;
        }

        // Graphs from older exporters also list their initializers as inputs: those converted are float16 there too.
        var halfInitializers = new HashSet<string>(graph.Initializer.Where(t => t.DataType == Float16).Select(t => t.Name), StringComparer.Ordinal);
        foreach (ValueInfoProto input in graph.Input.Where(i => halfInitializers.Contains(i.Name) && i.Type?.TensorType?.ElemType == Float))
        {
            input.Type.TensorType.ElemType = Float16;
        }

        // The graph's float outputs stay float: the last float16 value is cast up under the output's name.
        foreach (ValueInfoProto output in graph.Output.Where(o => o.Type?.TensorType?.ElemType == Float))
        {
            string half = view.Names.Take(output.Name + "_float16");
            foreach (NodeProto node in nodes)
            {
                for (int i = 0; i < node.Output.Count; i++)
                {
                    if (node.Output[i] == output.Name)
                    {
                        node.Output[i] = half;
                    }
                }

                for (int i = 0; i < node.Input.Count; i++)
                {
                    if (node.Input[i] == output.Name)
                    {
                        node.Input[i] = half;
                    }
                }
            }

            nodes.Add(CastTo(Float, view.Names.Take(output.Name + "_Cast_float32"), half, output.Name));
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        graph.ValueInfo.Clear(); // their element types no longer hold; ONNX Runtime infers them again
        return kept;
    }

    /// <summary>The element type of every value, followed from the inputs, initializers and constants by operator rules.</summary>
    private static Dictionary<string, int> ElementTypes(GraphProto graph)
    {
        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (ValueInfoProto input in graph.Input)
        {
            types[input.Name] = input.Type?.TensorType?.ElemType ?? 0;
        }

        foreach (TensorProto tensor in graph.Initializer)
        {
            types[tensor.Name] = tensor.DataType;
        }

        foreach (NodeProto node in graph.Node)
        {
            int type = node.OpType switch
            {
                "Constant" => node.Attribute.FirstOrDefault(a => a.Name == "value")?.T?.DataType
                    ?? throw Unknown(node, "a Constant without a tensor value"),
                "ConstantOfShape" => node.Attribute.FirstOrDefault(a => a.Name == "value")?.T?.DataType ?? Float,
                "Cast" => (int)(node.Attribute.FirstOrDefault(a => a.Name == "to")?.I ?? throw Unknown(node, "a Cast without 'to'")),
                "Where" => types.GetValueOrDefault(node.Input[1]),
                "DynamicQuantizeLinear" or "MatMulInteger" or "DynamicQuantizeMatMul" or "QLinearMatMul" =>
                    throw new InvalidDataException("The graph is already quantized; convert the float graph (model.onnx) to float16."),
                _ when FixedOutput.TryGetValue(node.OpType, out int fixedType) => fixedType,
                _ when SameAsFirstInput.Contains(node.OpType) => types.GetValueOrDefault(node.Input.FirstOrDefault(i => i.Length > 0) ?? string.Empty),
                _ => throw Unknown(node, $"operator {(node.Domain.Length > 0 ? node.Domain + "." : string.Empty)}{node.OpType}"),
            };

            foreach (string output in node.Output.Where(o => o.Length > 0))
            {
                types[output] = type;
            }
        }

        return types;
    }

    private static InvalidDataException Unknown(NodeProto node, string what) =>
        new($"The float16 conversion does not know {what} (node '{node.Name}'), so it cannot tell which values are float; the graph is left as it is.");

    private static NodeProto CastTo(int type, string name, string input, string output)
    {
        NodeProto cast = OnnxNodes.Create("Cast", name, [input], [output]);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = type });
        return cast;
    }

    /// <summary>Rewrites a float tensor's values as float16, clamped to its range.</summary>
    private static void ToFloat16(OnnxModelFile file, TensorProto tensor)
    {
        ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(file.ReadFloatBytes(tensor).Span);
        var halves = new Half[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float value = Math.Clamp(values[i], -65504f, 65504f);
            halves[i] = value != 0 && MathF.Abs(value) < 5.96e-8f ? (Half)MathF.CopySign(5.96e-8f, value) : (Half)value;
        }

        tensor.FloatData.Clear();
        tensor.ExternalData.Clear();
        tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        tensor.DataType = Float16;
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(MemoryMarshal.AsBytes(halves.AsSpan()).ToArray());
    }
}
