using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using GLuCoSE.Optimization.Onnx;

namespace GLuCoSE.Optimization;

/// <summary>Who writes and who reads each value of a graph, and the values of its small constants, for pattern matching.</summary>
internal sealed class GraphView
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);

    public GraphView(GraphProto graph)
    {
        foreach (NodeProto node in graph.Node)
        {
            foreach (string output in node.Output)
            {
                _producers[output] = node;
            }

            foreach (string input in node.Input.Where(i => i.Length > 0))
            {
                if (!_consumers.TryGetValue(input, out List<NodeProto>? list))
                {
                    _consumers[input] = list = [];
                }

                list.Add(node);
            }
        }

        Initializers = graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        Names = new UniqueNames(graph);
    }

    public Dictionary<string, TensorProto> Initializers { get; }

    public UniqueNames Names { get; }

    public NodeProto? Producer(string name) => _producers.GetValueOrDefault(name);

    /// <summary>Gets the initializer that <paramref name="name"/> is, directly or through <c>Identity</c> nodes (exporters alias shared weights so).</summary>
    public TensorProto? Initializer(string name)
    {
        for (int hops = 0; hops < 8; hops++)
        {
            if (Initializers.TryGetValue(name, out TensorProto? tensor))
            {
                return tensor;
            }

            if (Producer(name) is not { OpType: "Identity", Domain: "" } identity)
            {
                return null;
            }

            name = identity.Input[0];
        }

        return null;
    }

    /// <summary>Gets the nodes that read <paramref name="name"/>.</summary>
    public IReadOnlyList<NodeProto> Consumers(string name) => _consumers.TryGetValue(name, out List<NodeProto>? list) ? list : [];

    /// <summary>Gets whether exactly one node reads <paramref name="name"/>, and that node.</summary>
    public bool Only(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NodeProto? consumer)
    {
        consumer = _consumers.TryGetValue(name, out List<NodeProto>? list) && list.Count == 1 ? list[0] : null;
        return consumer is not null;
    }

    /// <summary>Gets the value of a float scalar held by a <c>Constant</c> node or an initializer; null if it is not one.</summary>
    public float? ConstantScalar(string name, OnnxModelFile file)
    {
        TensorProto? tensor = ConstantTensor(name);
        if (tensor is null || tensor.DataType != (int)TensorProto.Types.DataType.Float || OnnxModelFile.ElementCount(tensor) != 1)
        {
            return null;
        }

        return MemoryMarshal.Cast<byte, float>(file.ReadFloatBytes(tensor).Span)[0];
    }

    /// <summary>Gets the values of a small int64 tensor held by a <c>Constant</c> node or an initializer; null if it is not one.</summary>
    public long[]? ConstantInts(string name)
    {
        TensorProto? tensor = ConstantTensor(name);
        if (tensor is null || tensor.DataType != (int)TensorProto.Types.DataType.Int64 || OnnxModelFile.ElementCount(tensor) > 16)
        {
            return null;
        }

        if (tensor.Int64Data.Count > 0)
        {
            return [.. tensor.Int64Data];
        }

        return tensor.DataLocation == TensorProto.Types.DataLocation.Default
            ? MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray()
            : null;
    }

    /// <summary>
    /// Gets the last two entries of a Reshape's target shape, when they are constants: a constant shape, or a
    /// <c>Concat</c> whose last two inputs are constants (as exporters write <c>[batch, sequence, heads, size]</c>).
    /// </summary>
    public (long, long)? ShapeTail(string name)
    {
        if (ConstantInts(name) is { Length: >= 2 } shape)
        {
            return (shape[^2], shape[^1]);
        }

        if (Producer(name) is { OpType: "Concat" } concat && concat.Input.Count >= 2
            && ConstantInts(concat.Input[^2]) is [long heads] && ConstantInts(concat.Input[^1]) is [long size])
        {
            return (heads, size);
        }

        return null;
    }

    private TensorProto? ConstantTensor(string name)
    {
        if (Initializers.TryGetValue(name, out TensorProto? initializer))
        {
            return initializer;
        }

        return Producer(name) is { OpType: "Constant", Domain: "" } constant
            && constant.Attribute.FirstOrDefault(a => a.Name == "value") is { T: { } value }
            ? value
            : null;
    }
}
