using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using GLuCoSE.Optimization.Onnx;
using Google.Protobuf;

namespace GLuCoSE.Optimization;

/// <summary>
/// Rewrites every <c>MatMul</c> whose second input is a 2-D float weight into dynamic int8 quantization, with the
/// numerics of onnxruntime's <c>quantize_dynamic</c> (QInt8 symmetric weights, uint8 activations quantized per tensor at
/// run time), written as the kernel ONNX Runtime runs for it: <c>com.microsoft.DynamicQuantizeMatMul(A, W_q, W_scale,
/// W_zero_point[, bias])</c>, with the bias of an <c>Add</c> that alone reads the product folded in.
/// </summary>
/// <remarks>
/// <para><c>quantize_dynamic</c> writes <c>DynamicQuantizeLinear</c> + <c>MatMulInteger</c> + <c>Cast</c> + <c>Mul</c> and
/// leaves the fusion to ONNX Runtime at load. ONNX Runtime 1.32 fuses that pattern only where one activation feeds one
/// MatMul; the query, key and value products, which share theirs, stayed unfused when written that way here (so ran
/// slower), whatever the initializers' encoding. Quantizing the shared activation once per product costs a pass over
/// it, which is small next to the product.</para>
/// <para>Weights are quantized symmetrically to [-127, 127] with a zero point of 0 and <c>scale = max|W| / 127</c>,
/// rounded half to even, per tensor (as <c>quantize_dynamic</c> does by default) or per output column.</para>
/// <para>Embedding tables (<c>Gather</c>) stay float: <c>quantize_dynamic</c> also stores them as uint8, which makes the
/// file smaller but costs fidelity and no time is saved.</para>
/// </remarks>
internal static class DynamicQuantization
{
    /// <summary>Counts the weights a rewrite would quantize, and their float bytes.</summary>
    public static (int Count, long Bytes) Plan(ModelProto model)
    {
        Dictionary<string, TensorProto> initializers = Initializers(model.Graph);
        var weights = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (NodeProto node in model.Graph.Node)
        {
            if (QuantizableWeight(node, initializers) is { } weight && weights.Add(weight.Name))
            {
                bytes += OnnxModelFile.DataLength(weight);
            }
        }

        return (weights.Count, bytes);
    }

    /// <summary>Rewrites <paramref name="source"/>'s model in place.</summary>
    /// <param name="source">The model and where its weights are.</param>
    /// <param name="perChannel">One scale per output column instead of one per weight.</param>
    /// <param name="onWeightQuantized">Called with each weight's float byte count once it is quantized.</param>
    /// <returns>How many MatMuls were rewritten.</returns>
    public static int Apply(OnnxModelFile source, bool perChannel, Action<long> onWeightQuantized)
    {
        GraphProto graph = source.Model.Graph;
        Dictionary<string, TensorProto> initializers = Initializers(graph);
        var view = new GraphView(graph);
        var names = view.Names;
        var graphOutputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var quantizedWeights = new Dictionary<string, (string Q, string Scale, string ZeroPoint)>(StringComparer.Ordinal);
        var foldedAdds = new HashSet<NodeProto>();
        var nodes = new List<NodeProto>(graph.Node.Count);
        int rewritten = 0;

        foreach (NodeProto node in graph.Node)
        {
            if (foldedAdds.Contains(node))
            {
                continue;
            }

            TensorProto? weight = QuantizableWeight(node, initializers);
            if (weight is null)
            {
                nodes.Add(node);
                continue;
            }

            if (!quantizedWeights.TryGetValue(weight.Name, out (string Q, string Scale, string ZeroPoint) w))
            {
                long floatBytes = OnnxModelFile.DataLength(weight);

                // Its float bytes can go only when nothing but the MatMuls being quantized reads it.
                bool onlyQuantizedReaders = !graphOutputs.Contains(weight.Name)
                    && view.Consumers(weight.Name).All(n => ReferenceEquals(QuantizableWeight(n, initializers), weight));
                w = QuantizeWeight(source, weight, perChannel, names, graph, onlyQuantizedReaders);
                quantizedWeights.Add(weight.Name, w);
                onWeightQuantized(floatBytes);
            }

            // The bias of the Add that alone reads the product goes into the kernel (ONNX Runtime's own fusion).
            string output = node.Output[0];
            var inputs = new List<string> { node.Input[0], w.Q, w.Scale, w.ZeroPoint };
            if (!graphOutputs.Contains(output) && view.Only(output, out NodeProto? add) && add is { OpType: "Add", Domain: "" } && add.Input.Count == 2
                && (add.Input[0] == output ? add.Input[1] : add.Input[0]) is var bias && bias != output
                && view.Initializer(bias) is { Dims.Count: 1 } biasTensor && biasTensor.DataType == (int)TensorProto.Types.DataType.Float
                && biasTensor.Dims[0] == weight.Dims[1])
            {
                inputs.Add(bias);
                output = add.Output[0];
                foldedAdds.Add(add);
            }

            string name = names.Take((string.IsNullOrEmpty(node.Name) ? node.Output[0] : node.Name) + "_quant");
            nodes.Add(OnnxNodes.Create("DynamicQuantizeMatMul", name, [.. inputs], [output], OnnxNodes.MicrosoftDomain));
            rewritten++;
        }

        if (rewritten > 0)
        {
            OnnxNodes.ImportMicrosoftDomain(source.Model);
        }

        // Drop the float weights that no node reads any more (a weight may also feed something else).
        var stillRead = new HashSet<string>(nodes.SelectMany(n => n.Input), StringComparer.Ordinal);
        foreach (string output in graph.Output.Select(o => o.Name))
        {
            stillRead.Add(output);
        }

        var dropped = new HashSet<string>(quantizedWeights.Keys.Where(name => !stillRead.Contains(name)), StringComparer.Ordinal);
        for (int i = graph.Initializer.Count - 1; i >= 0; i--)
        {
            if (dropped.Contains(graph.Initializer[i].Name))
            {
                graph.Initializer.RemoveAt(i);
            }
        }

        // Graphs from older exporters also list their weights as inputs.
        for (int i = graph.Input.Count - 1; i >= 0; i--)
        {
            if (dropped.Contains(graph.Input[i].Name))
            {
                graph.Input.RemoveAt(i);
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        return rewritten;
    }

    /// <summary>Quantizes one weight: the nearest of [-127, 127] of <c>w / scale</c>, ties to even.</summary>
    internal static void Quantize(ReadOnlySpan<float> weight, int rows, int columns, bool perChannel, Span<sbyte> quantized, Span<float> scales)
    {
        if (perChannel)
        {
            scales.Clear();
            for (int row = 0; row < rows; row++)
            {
                ReadOnlySpan<float> values = weight.Slice(row * columns, columns);
                for (int column = 0; column < columns; column++)
                {
                    scales[column] = MathF.Max(scales[column], MathF.Abs(values[column]));
                }
            }
        }
        else
        {
            scales[0] = MathF.Abs(TensorPrimitives.MaxMagnitude(weight));
        }

        for (int i = 0; i < scales.Length; i++)
        {
            if (!float.IsFinite(scales[i]))
            {
                throw new System.IO.InvalidDataException("A MatMul weight holds NaN or infinity; it cannot be quantized.");
            }

            // quantize_dynamic: scale = (max - min) / (qmax - qmin) over [-absmax, absmax] and [-127, 127]; 1 for all zeros.
            scales[i] = scales[i] == 0 ? 1f : 2f * scales[i] / 254f;
        }

        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> values = weight.Slice(row * columns, columns);
            Span<sbyte> target = quantized.Slice(row * columns, columns);
            for (int column = 0; column < columns; column++)
            {
                float scale = perChannel ? scales[column] : scales[0];
                target[column] = (sbyte)Math.Clamp(MathF.Round(values[column] / scale, MidpointRounding.ToEven), -127f, 127f);
            }
        }
    }

    private static (string Q, string Scale, string ZeroPoint) QuantizeWeight(
        OnnxModelFile source, TensorProto weight, bool perChannel, UniqueNames names, GraphProto graph, bool releaseFloat)
    {
        int rows = checked((int)weight.Dims[0]);
        int columns = checked((int)weight.Dims[1]);
        ReadOnlySpan<float> values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(source.ReadFloatBytes(weight).Span);
        if (values.Length != (long)rows * columns)
        {
            throw new System.IO.InvalidDataException($"Weight '{weight.Name}' has {values.Length} values for a {rows}x{columns} shape.");
        }

        var quantized = new byte[values.Length];
        var scales = new float[perChannel ? columns : 1];
        Quantize(values, rows, columns, perChannel, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(quantized.AsSpan()), scales);

        // Let the float bytes go now: a graph with its weights inside holds them all until it is written. Not when
        // another operator still reads the float weight: it stays in the graph and needs its values.
        if (releaseFloat)
        {
            weight.RawData = ByteString.Empty;
        }

        string q = names.Take(weight.Name + "_quantized");
        string scale = names.Take(weight.Name + "_scale");
        string zeroPoint = names.Take(weight.Name + "_zero_point");
        long[] vectorShape = perChannel ? [columns] : [];
        graph.Initializer.Add(Tensor(q, TensorProto.Types.DataType.Int8, [rows, columns], quantized));

        // Scales and zero points in the typed fields, as quantize_dynamic writes them: ONNX Runtime fuses the
        // MatMulInteger + Cast + Mul that share an activation's quantization into MatMulIntegerToFloat only then.
        var scaleTensor = new TensorProto { Name = scale, DataType = (int)TensorProto.Types.DataType.Float };
        scaleTensor.Dims.AddRange(vectorShape);
        scaleTensor.FloatData.AddRange(scales);
        graph.Initializer.Add(scaleTensor);
        var zeroPointTensor = new TensorProto { Name = zeroPoint, DataType = (int)TensorProto.Types.DataType.Int8 };
        zeroPointTensor.Dims.AddRange(vectorShape);
        zeroPointTensor.Int32Data.AddRange(new int[scales.Length]);
        graph.Initializer.Add(zeroPointTensor);
        return (q, scale, zeroPoint);
    }

    /// <summary>Gets the weight of a float <c>MatMul</c> whose second input is a 2-D float initializer, or null.</summary>
    private static TensorProto? QuantizableWeight(NodeProto node, Dictionary<string, TensorProto> initializers) =>
        node.OpType == "MatMul" && string.IsNullOrEmpty(node.Domain) && node.Input.Count == 2
        && !initializers.ContainsKey(node.Input[0])
        && initializers.TryGetValue(node.Input[1], out TensorProto? weight)
        && weight.DataType == (int)TensorProto.Types.DataType.Float && weight.Dims.Count == 2
            ? weight
            : null;

    private static Dictionary<string, TensorProto> Initializers(GraphProto graph)
    {
        var map = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (TensorProto tensor in graph.Initializer)
        {
            map[tensor.Name] = tensor;
        }

        return map;
    }

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, long[] dims, byte[] bytes)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = UnsafeByteOperations.UnsafeWrap(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
