using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GLuCoSE.Inference;

/// <summary>
/// An ONNX Runtime session over an exported LUKE/RoBERTa encoder: inputs <c>input_ids</c> and <c>attention_mask</c>
/// (and <c>token_type_ids</c>, fed zeros, when the graph has it), output the first rank-3 float tensor (token states).
/// </summary>
/// <remarks>Thread-safe: ONNX Runtime allows concurrent <c>Run</c> calls on one session. Owns the session.</remarks>
internal sealed class OnnxEncoder : IDisposable
{
    private const string InputIdsName = "input_ids";
    private const string AttentionMaskName = "attention_mask";
    private const string TokenTypeIdsName = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly TensorElementType _idType;

    private OnnxEncoder(InferenceSession session, string[] inputNames, TensorElementType idType, string outputName, int hiddenSize)
    {
        _session = session;
        _inputNames = inputNames;
        _idType = idType;
        _outputNames = [outputName];
        HiddenSize = hiddenSize;
    }

    /// <summary>Gets the width of a token state (768 for GLuCoSE-base-ja), from the output's metadata.</summary>
    public int HiddenSize { get; }

    /// <summary>Gets the name of the output read (e.g. <c>last_hidden_state</c>).</summary>
    public string OutputName => _outputNames[0];

    public static OnnxEncoder Create(string modelPath, GlucoseExecutionProvider provider, int? intraOpNumThreads)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (intraOpNumThreads is int threads)
        {
            options.IntraOpNumThreads = threads;
        }

        if (provider == GlucoseExecutionProvider.Cuda)
        {
            AppendCuda(options);
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"'{modelPath}' is not a valid ONNX model for ONNX Runtime: {ex.Message}", ex);
        }

        try
        {
            return FromSession(session, modelPath);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs one padded batch: <paramref name="ids"/> and <paramref name="mask"/> are [batch, sequence] row-major.
    /// Returns the token states, [batch, sequence, <see cref="HiddenSize"/>]; the caller disposes them.
    /// </summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(long[] ids, long[] mask, int batch, int sequence)
    {
        long[] shape = [batch, sequence];
        int count = batch * sequence;
        var inputs = new List<OrtValue>(_inputNames.Length);
        try
        {
            foreach (string name in _inputNames)
            {
                inputs.Add(name switch
                {
                    InputIdsName => CreateIdTensor(ids, count, shape),
                    AttentionMaskName => CreateIdTensor(mask, count, shape),
                    _ => CreateIdTensor(new long[count], count, shape),
                });
            }

            using var runOptions = new RunOptions();
            return _session.Run(runOptions, _inputNames, inputs, _outputNames);
        }
        finally
        {
            foreach (OrtValue value in inputs)
            {
                value.Dispose();
            }
        }
    }

    public void Dispose() => _session.Dispose();

    private OrtValue CreateIdTensor(long[] values, int count, long[] shape)
    {
        if (_idType == TensorElementType.Int64)
        {
            return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, values.AsMemory(0, count), shape);
        }

        var narrow = new int[count];
        for (int i = 0; i < count; i++)
        {
            narrow[i] = (int)values[i];
        }

        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, narrow.AsMemory(), shape);
    }

    private static OnnxEncoder FromSession(InferenceSession session, string modelPath)
    {
        IReadOnlyDictionary<string, NodeMetadata> inputs = session.InputMetadata;
        foreach (string required in new[] { InputIdsName, AttentionMaskName })
        {
            if (!inputs.ContainsKey(required))
            {
                throw new InvalidDataException(
                    $"'{modelPath}' has no input named '{required}'; a GLuCoSE graph takes input_ids and attention_mask " +
                    $"(and optionally token_type_ids). Its inputs are: {Describe(inputs)}.");
            }
        }

        var names = new List<string>();
        TensorElementType idType = inputs[InputIdsName].ElementDataType;
        foreach ((string name, NodeMetadata metadata) in inputs)
        {
            if (name is not (InputIdsName or AttentionMaskName or TokenTypeIdsName))
            {
                throw new InvalidDataException(
                    $"'{modelPath}' has an input '{name}' this library cannot feed; a GLuCoSE graph takes input_ids and " +
                    $"attention_mask (and optionally token_type_ids). Its inputs are: {Describe(inputs)}.");
            }

            if (!metadata.IsTensor || metadata.Dimensions.Length != 2 || metadata.ElementDataType is not (TensorElementType.Int64 or TensorElementType.Int32)
                || metadata.ElementDataType != idType)
            {
                throw new InvalidDataException(
                    $"'{modelPath}' input '{name}' must be an int64 (or int32) tensor [batch, sequence] like input_ids; " +
                    $"it is {Describe(metadata)}.");
            }

            names.Add(name);
        }

        foreach ((string name, NodeMetadata metadata) in session.OutputMetadata)
        {
            if (metadata.IsTensor && metadata.ElementDataType == TensorElementType.Float && metadata.Dimensions.Length == 3)
            {
                int hidden = metadata.Dimensions[2];
                if (hidden <= 0)
                {
                    throw new InvalidDataException(
                        $"'{modelPath}' output '{name}' does not state its hidden size ({Describe(metadata)}); export " +
                        "the graph with a fixed last dimension (models/export_onnx.py does).");
                }

                return new OnnxEncoder(session, names.ToArray(), idType, name, hidden);
            }
        }

        throw new InvalidDataException(
            $"'{modelPath}' has no rank-3 float output (token states [batch, sequence, hidden]); its outputs are: " +
            $"{Describe(session.OutputMetadata)}.");
    }

    private static void AppendCuda(SessionOptions options)
    {
        try
        {
            options.AppendExecutionProvider_CUDA(0);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new InvalidOperationException(
                "ExecutionProvider is Cuda, but ONNX Runtime's CUDA provider could not be loaded. Reference the GPU build " +
                "of ONNX Runtime instead of the CPU one: package Microsoft.ML.OnnxRuntime.Gpu.Linux (or .Gpu.Windows) 1.31.0, " +
                "which needs an NVIDIA driver with CUDA 13.x and cuDNN 9.x installed and on the library path. " +
                $"ONNX Runtime said: {ex.Message}",
                ex);
        }
    }

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        string.Join(", ", nodes.Select(n => $"{n.Key} {Describe(n.Value)}"));

    private static string Describe(NodeMetadata metadata) =>
        metadata.IsTensor
            ? $"{metadata.ElementDataType} [{string.Join(", ", metadata.Dimensions)}]"
            : metadata.OnnxValueType.ToString();
}
