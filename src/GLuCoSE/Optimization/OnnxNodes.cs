using System.Linq;
using GLuCoSE.Optimization.Onnx;

namespace GLuCoSE.Optimization;

/// <summary>Making nodes, and the operator domain of ONNX Runtime's own kernels.</summary>
internal static class OnnxNodes
{
    /// <summary>The domain of ONNX Runtime's contrib operators (<c>DynamicQuantizeMatMul</c>, <c>MultiHeadAttention</c>).</summary>
    public const string MicrosoftDomain = "com.microsoft";

    public static NodeProto Create(string opType, string name, string[] inputs, string[] outputs, string domain = "")
    {
        var node = new NodeProto { OpType = opType, Name = name, Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    /// <summary>Declares <see cref="MicrosoftDomain"/> among the model's operator sets, once.</summary>
    public static void ImportMicrosoftDomain(ModelProto model)
    {
        if (!model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }
    }
}
