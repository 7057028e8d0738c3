using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using GLuCoSE.Optimization.Onnx;
using Google.Protobuf;

namespace GLuCoSE.Optimization;

/// <summary>
/// Rewrites LUKE's word-only self-attention into ONNX Runtime's fused <c>com.microsoft.MultiHeadAttention</c> and drops
/// the Slices that cut the entity states away (there are no entity inputs, so they keep every row), where the pattern
/// is certain. Anything else is left as it is.
/// </summary>
/// <remarks>
/// The pattern, per layer, as both the opset-11 and the opset-17 exports of <c>LukeModel</c> write it:
/// <code>
/// Q = Add(bq, MatMul(X, Wq)), K = ..., V = ...          (one input X, 2-D weights, 1-D biases)
/// scores = Add(Div(MatMul(Transpose(Reshape(Q), 0213), Transpose(Reshape(K), 0231)), c), mask)
/// context = Reshape(Transpose(MatMul(Softmax(scores), Transpose(Reshape(V), 0213)), 0213))  [then Slice(rows of X)]
/// </code>
/// becomes <c>MultiHeadAttention(MatMul(X, Wq), MatMul(X, Wk), MatMul(X, Wv), bias = bq|bk|bv,
/// key_padding_mask = int32(attention_mask))</c> with <c>num_heads</c> from the Reshape and <c>scale = 1 / c</c>.
/// </remarks>
internal static class AttentionFusion
{
    /// <summary>Fuses what matches; returns how many attentions and row-keeping Slices were rewritten.</summary>
    public static (int Attentions, int Slices) Apply(OnnxModelFile file)
    {
        GraphProto graph = file.Model.Graph;
        if (!graph.Input.Any(i => i.Name == "attention_mask"))
        {
            return (0, 0);
        }

        var view = new GraphView(graph);
                var added = new List<(NodeProto Before, NodeProto Node)>();
        string? mask = null;
        int attentions = 0;
        foreach (NodeProto softmax in graph.Node.Where(n => n.OpType == "Softmax" && string.IsNullOrEmpty(n.Domain)).ToList())
        {
            if (Find(view, file, softmax) is not { } match)
            {
                continue;
            }

            if (mask is null)
            {
                mask = view.Names.Take("attention_mask_int32");
                NodeProto cast = OnnxNodes.Create("Cast", view.Names.Take("attention_mask_Cast_int32"), ["attention_mask"], [mask]);
                cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)TensorProto.Types.DataType.Int32 });
                added.Add((graph.Node[0], cast));
            }

            string bias = view.Names.Take(match.Output + "_qkv_bias");
            graph.Initializer.Add(FloatTensor(bias, match.Bias, match.Bias.Length));
            NodeProto attention = OnnxNodes.Create(
                "MultiHeadAttention",
                view.Names.Take(match.Output + "_MultiHeadAttention"),
                [.. match.Projections, bias, mask],
                [match.Output],
                OnnxNodes.MicrosoftDomain);
            attention.Attribute.Add(new AttributeProto { Name = "num_heads", Type = AttributeProto.Types.AttributeType.Int, I = match.Heads });
            attention.Attribute.Add(new AttributeProto { Name = "scale", Type = AttributeProto.Types.AttributeType.Float, F = match.Scale });

            // The old node that wrote the output stops writing it (it and its inputs then die below).
            match.Producer.Output[match.Producer.Output.IndexOf(match.Output)] = view.Names.Take(match.Output + "_unfused");
            added.Add((match.Producer, attention));
            attentions++;
        }

        foreach ((NodeProto before, NodeProto node) in added)
        {
            graph.Node.Insert(graph.Node.IndexOf(before), node);
        }

        int slices = RemoveRowKeepingSlices(graph);
        RemoveDeadNodes(graph);
        if (attentions > 0)
        {
            OnnxNodes.ImportMicrosoftDomain(file.Model);
        }

        return (attentions, slices);
    }

    private static Match? Find(GraphView view, OnnxModelFile file, NodeProto softmax)
    {
        // scores = Add(Div(MatMul(Qt, Kt), c), mask) or Add(mask, Div(...)).
        if (view.Producer(softmax.Input[0]) is not { OpType: "Add" } scoresAdd)
        {
            return null;
        }

        NodeProto? div = scoresAdd.Input.Select(view.Producer).FirstOrDefault(n => n is { OpType: "Div" });
        if (div is null || view.ConstantScalar(div.Input[1], file) is not float divisor || divisor <= 0
            || view.Producer(div.Input[0]) is not { OpType: "MatMul" } scoresMatMul
            || !view.Only(softmax.Output[0], out NodeProto? contextMatMul) || contextMatMul.OpType != "MatMul" || contextMatMul.Input[0] != softmax.Output[0])
        {
            return null;
        }

        if (HeadsInput(view, scoresMatMul.Input[0], [0, 2, 1, 3]) is not { } query
            || HeadsInput(view, scoresMatMul.Input[1], [0, 2, 3, 1]) is not { } key
            || HeadsInput(view, contextMatMul.Input[1], [0, 2, 1, 3]) is not { } value
            || query.Heads != key.Heads || query.Heads != value.Heads || query.HeadSize != key.HeadSize || query.HeadSize != value.HeadSize)
        {
            return null;
        }

        // context: Transpose(0213) -> Reshape (Shape nodes may read the Transpose too, for the Reshape's target).
        if (!view.Only(contextMatMul.Output[0], out NodeProto? transpose) || !IsTranspose(transpose, [0, 2, 1, 3])
            || view.Consumers(transpose.Output[0]).Where(n => n.OpType != "Shape").ToList() is not [{ OpType: "Reshape" } reshape]
            || reshape.Input[0] != transpose.Output[0])
        {
            return null;
        }

        if (Projection(view, file, query.Projected) is not { } q || Projection(view, file, key.Projected) is not { } k
            || Projection(view, file, value.Projected) is not { } v
            || q.Input != k.Input || q.Input != v.Input
            || q.Bias.Length != query.Heads * query.HeadSize || k.Bias.Length != q.Bias.Length || v.Bias.Length != q.Bias.Length
            || !SameShape(q.Weight, k.Weight) || !SameShape(q.Weight, v.Weight) || q.Weight.Dims[1] != q.Bias.Length)
        {
            return null;
        }

        return new Match([q.MatMulOutput, k.MatMulOutput, v.MatMulOutput], [.. q.Bias, .. k.Bias, .. v.Bias], query.Heads, 1f / divisor, reshape, reshape.Output[0]);
    }

    /// <summary>Matches <c>Transpose(Reshape(projected, [B, S, heads, size]), perm)</c>.</summary>
    private static (string Projected, int Heads, int HeadSize)? HeadsInput(GraphView view, string name, int[] perm)
    {
        if (view.Producer(name) is not { } transpose || !IsTranspose(transpose, perm)
            || view.Producer(transpose.Input[0]) is not { OpType: "Reshape" } reshape
            || view.ShapeTail(reshape.Input[1]) is not (long heads, long size) || heads <= 0 || size <= 0)
        {
            return null;
        }

        return (reshape.Input[0], (int)heads, (int)size);
    }

    /// <summary>Matches <c>Add(bias, MatMul(input, W))</c> (either order) with a 2-D weight and a 1-D float bias.</summary>
    private static (string Input, string MatMulOutput, float[] Bias, TensorProto Weight)? Projection(GraphView view, OnnxModelFile file, string name)
    {
        if (view.Producer(name) is not { OpType: "Add", Domain: "" } add || add.Input.Count != 2)
        {
            return null;
        }

        int matMulSide = view.Producer(add.Input[0]) is { OpType: "MatMul" } ? 0 : 1;
        if (view.Producer(add.Input[matMulSide]) is not { OpType: "MatMul", Domain: "" } matMul
            || view.Initializer(matMul.Input[1]) is not { Dims.Count: 2 } weight
            || view.Initializer(add.Input[1 - matMulSide]) is not { } bias
            || bias.Dims.Count != 1 || bias.DataType != (int)TensorProto.Types.DataType.Float || bias.Dims[0] != weight.Dims[1])
        {
            return null;
        }

        return (matMul.Input[0], matMul.Output[0], MemoryMarshal.Cast<byte, float>(file.ReadFloatBytes(bias).Span).ToArray(), weight);
    }

    private static bool IsTranspose(NodeProto node, int[] perm) =>
        node.OpType == "Transpose" && node.Attribute.FirstOrDefault(a => a.Name == "perm") is { } attribute && attribute.Ints.SequenceEqual(perm.Select(p => (long)p));

    /// <summary>
    /// Removes <c>Slice(data, 0, rows(X), axis 1, step 1)</c> where <c>rows(X)</c> is <c>Unsqueeze(Gather(Shape(X), 1))</c>
    /// and <c>data</c> is computed from X row by row: such a Slice keeps every row.
    /// </summary>
    private static int RemoveRowKeepingSlices(GraphProto graph)
    {
        int removed = 0;
        var view = new GraphView(graph);
        foreach (NodeProto slice in graph.Node.Where(n => n.OpType == "Slice" && string.IsNullOrEmpty(n.Domain) && n.Input.Count >= 4).ToList())
        {
            if (view.ConstantInts(slice.Input[1]) is not [0] || view.ConstantInts(slice.Input[3]) is not [1]
                || (slice.Input.Count > 4 && view.ConstantInts(slice.Input[4]) is not [1])
                || view.Producer(slice.Input[2]) is not { OpType: "Unsqueeze" } unsqueeze
                || view.Producer(unsqueeze.Input[0]) is not { OpType: "Gather" } gather || view.ConstantInts(gather.Input[1]) is not [1]
                || view.Producer(gather.Input[0]) is not { OpType: "Shape" } shape
                || !KeepsRowsOf(view, slice.Input[0], shape.Input[0]))
            {
                continue;
            }

            string kept = slice.Input[0];
            string dropped = slice.Output[0];
            foreach (NodeProto node in graph.Node)
            {
                for (int i = 0; i < node.Input.Count; i++)
                {
                    if (node.Input[i] == dropped)
                    {
                        node.Input[i] = kept;
                    }
                }
            }

            if (graph.Output.Any(o => o.Name == dropped))
            {
                continue;
            }

            slice.Output[0] = dropped + "_unused";
            removed++;
            view = new GraphView(graph);
        }

        return removed;
    }

    /// <summary>Whether <paramref name="value"/> is computed from <paramref name="rows"/> row by row (same batch and sequence axes).</summary>
    private static bool KeepsRowsOf(GraphView view, string value, string rows)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([value]);
        while (pending.Count > 0)
        {
            string name = pending.Pop();
            if (name == rows || !seen.Add(name) || view.Initializer(name) is not null)
            {
                continue;
            }

            NodeProto? node = view.Producer(name);
            string[] inputs = node switch
            {
                { OpType: "Add" or "Mul" or "Div" or "Sub" or "Pow" or "Sqrt" or "Erf" or "Gelu" or "BiasGelu" or "LayerNormalization" or "SkipLayerNormalization", Domain: "" or OnnxNodes.MicrosoftDomain } => [.. node.Input],
                { OpType: "ReduceMean", Domain: "" } when IsLastAxisKeepingDims(view, node) => [node.Input[0]],
                { OpType: "MatMul", Domain: "" } when view.Initializer(node.Input[1]) is { Dims.Count: 2 } => [node.Input[0]],
                { OpType: "MultiHeadAttention", Domain: OnnxNodes.MicrosoftDomain } => [node.Input[0], node.Input[1], node.Input[2]],
                { OpType: "Constant", Domain: "" } => [],
                _ => ["\0not row-wise"],
            };
            if (inputs is ["\0not row-wise"])
            {
                return false;
            }

            foreach (string input in inputs.Where(i => i.Length > 0))
            {
                if (view.Producer(input) is null && view.Initializer(input) is null && input != rows)
                {
                    return false; // a graph input other than the rows
                }

                pending.Push(input);
            }
        }

        return true;
    }

    /// <summary>Whether a ReduceMean averages the last axis only and keeps it (a decomposed LayerNormalization's mean).</summary>
    private static bool IsLastAxisKeepingDims(GraphView view, NodeProto node)
    {
        long[]? axes = node.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints.ToArray()
            ?? (node.Input.Count > 1 ? view.ConstantInts(node.Input[1]) : null);
        bool keepDims = node.Attribute.FirstOrDefault(a => a.Name == "keepdims") is not { I: 0 };
        return keepDims && axes is [-1];
    }

    /// <summary>Removes nodes none of whose outputs is read (by a node or as a graph output), and initializers no node reads.</summary>
    internal static void RemoveDeadNodes(GraphProto graph)
    {
        var outputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        bool changed = true;
        while (changed)
        {
            var read = new HashSet<string>(graph.Node.SelectMany(n => n.Input), StringComparer.Ordinal);
            read.UnionWith(outputs);
            changed = false;
            for (int i = graph.Node.Count - 1; i >= 0; i--)
            {
                if (!graph.Node[i].Output.Any(read.Contains))
                {
                    graph.Node.RemoveAt(i);
                    changed = true;
                }
            }
        }

        var stillRead = new HashSet<string>(graph.Node.SelectMany(n => n.Input), StringComparer.Ordinal);
        for (int i = graph.Initializer.Count - 1; i >= 0; i--)
        {
            if (!stillRead.Contains(graph.Initializer[i].Name) && !outputs.Contains(graph.Initializer[i].Name))
            {
                if (graph.Input.FirstOrDefault(v => v.Name == graph.Initializer[i].Name) is { } listedAsInput)
                {
                    graph.Input.Remove(listedAsInput);
                }

                graph.Initializer.RemoveAt(i);
            }
        }
    }

    private static bool SameShape(TensorProto a, TensorProto b) => a.DataType == b.DataType && a.Dims.SequenceEqual(b.Dims);

    private static TensorProto FloatTensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = UnsafeByteOperations.UnsafeWrap(MemoryMarshal.AsBytes(values.AsSpan()).ToArray()) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private sealed record Match(string[] Projections, float[] Bias, long Heads, float Scale, NodeProto Producer, string Output);
}
