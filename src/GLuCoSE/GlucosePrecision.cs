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

    /// <summary>
    /// 16-bit floats for NVIDIA GPUs (<see cref="GlucoseExecutionProvider.Cuda"/>), made in .NET from the fp32 graph
    /// (<c>model_fp16.onnx</c>): half the weights' size, with layer norms, softmax and the output kept in 32 bits as
    /// onnxruntime's float16 converter keeps them. On the CPU it runs, converted back to float, slower than
    /// <see cref="Float32"/>.
    /// </summary>
    Float16 = 2,
}
