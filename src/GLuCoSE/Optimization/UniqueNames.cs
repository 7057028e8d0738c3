using System;
using System.Collections.Generic;
using System.Linq;
using GLuCoSE.Optimization.Onnx;

namespace GLuCoSE.Optimization;

/// <summary>Hands out value and node names that the graph does not use yet.</summary>
internal sealed class UniqueNames
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public UniqueNames(GraphProto graph)
    {
        foreach (NodeProto node in graph.Node)
        {
            _used.Add(node.Name);
            _used.UnionWith(node.Input);
            _used.UnionWith(node.Output);
        }

        _used.UnionWith(graph.Initializer.Select(t => t.Name));
        _used.UnionWith(graph.Input.Select(v => v.Name));
        _used.UnionWith(graph.Output.Select(v => v.Name));
    }

    public string Take(string wanted)
    {
        string name = wanted;
        for (int i = 1; !_used.Add(name); i++)
        {
            name = $"{wanted}_{i}";
        }

        return name;
    }
}
