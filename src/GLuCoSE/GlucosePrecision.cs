using System.Diagnostics.CodeAnalysis;

namespace GLuCoSE;

/// <summary>The number format of the model's weights and arithmetic.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Precisions are named by their number formats, as in ONNX Runtime's TensorElementType.")]
public enum GlucosePrecision
{
    /// <summary>32-bit floats: the graph as exported (the default).</summary>
    Float32 = 0,

    /// <summary>
    /// Dynamic int8 quantization of the weight products (<c>model_int8.onnx</c>), made in .NET from the float graph:
    /// about 3× the CPU throughput of <see cref="Float32"/>, with embeddings close to, not equal to, the float ones.
    /// </summary>
    Int8 = 1,
}
