namespace GLuCoSE;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum GlucoseExecutionProvider
{
    /// <summary>ONNX Runtime's CPU provider (the default; works with the <c>Microsoft.ML.OnnxRuntime</c> package alone).</summary>
    Cpu = 0,

    /// <summary>
    /// NVIDIA CUDA. Needs the GPU build of ONNX Runtime (package <c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c> or
    /// <c>Microsoft.ML.OnnxRuntime.Gpu.Windows</c>) with the CUDA and cuDNN versions that build was made for.
    /// </summary>
    Cuda = 1,
}
