using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using GLuCoSE.Model;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GLuCoSE.Execution;

/// <summary>
/// An ONNX Runtime session over an exported LUKE/RoBERTa encoder: inputs <c>input_ids</c> and <c>attention_mask</c>
/// (and <c>token_type_ids</c>, fed zeros, when the graph has it), output the first rank-3 float tensor (token states).
/// </summary>
/// <remarks>
/// Owns the session. <see cref="Run(IReadOnlyList{int[]}, out int)"/> reuses the encoder's own buffers and is not
/// thread-safe (the embedder serializes it); runs with distinct <see cref="RunBuffers"/> may go on at once.
/// </remarks>
internal sealed class OnnxEncoder : IDisposable
{
    private const string InputIdsName = "input_ids";
    private const string AttentionMaskName = "attention_mask";
    private const string TokenTypeIdsName = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly TensorElementType _idType;
    private readonly RunOptions _runOptions = new();
    private readonly RunBuffers _buffers = new();
    private long _runTicks;
    private long _paddedTokens;
    private long _runCount;

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

    /// <summary>Gets whether the session was opened on a graph from the optimized-model cache (for tests and diagnostics).</summary>
    internal bool FromOptimizedModelCache { get; set; }

    /// <summary>Gets or sets a list that records the shape and Stopwatch ticks of every run (diagnostics for the benchmarks).</summary>
    internal List<(int Batch, int Sequence, long Ticks)>? RunLog { get; set; }

    /// <summary>Gets the Stopwatch ticks spent inside ONNX Runtime's Run so far (diagnostics for the benchmarks).</summary>
    public long RunTicks => Interlocked.Read(ref _runTicks);

    /// <summary>Gets the padded tokens run so far (diagnostics for the benchmarks).</summary>
    public long PaddedTokens => Interlocked.Read(ref _paddedTokens);

    /// <summary>Gets how many times the graph has run (diagnostics for the benchmarks).</summary>
    public long RunCount => Interlocked.Read(ref _runCount);

    /// <summary>Gets the name of the output read (e.g. <c>last_hidden_state</c>).</summary>
    public string OutputName => _outputNames[0];

    /// <summary>The session options the library runs a model with (the benchmarks' bare floor uses the same).</summary>
    public static SessionOptions CreateSessionOptions(GlucoseExecutionProvider provider, int? intraOpNumThreads)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        try
        {
            if (intraOpNumThreads is int threads)
            {
                options.IntraOpNumThreads = threads;
            }

            if (provider == GlucoseExecutionProvider.Cuda)
            {
                AppendCuda(options);
            }

            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>Opens <paramref name="modelPath"/>; with <paramref name="cacheDirectory"/>, through the optimized-model cache (CPU only).</summary>
    public static OnnxEncoder Create(string modelPath, GlucoseExecutionProvider provider, int? intraOpNumThreads, string? cacheDirectory = null) =>
        Open(modelPath, () =>
        {
            if (cacheDirectory is not null && provider == GlucoseExecutionProvider.Cpu)
            {
                return OptimizedModelCache.Open(cacheDirectory, modelPath, () => CreateSessionOptions(provider, intraOpNumThreads));
            }

            using SessionOptions options = CreateSessionOptions(provider, intraOpNumThreads);
            return (new InferenceSession(modelPath, options), false);
        });

    /// <summary>
    /// Opens <paramref name="graphPath"/> on the CPU with <paramref name="weights"/> as its shared initializers;
    /// <paramref name="optimized"/> when the graph comes from the optimized-model cache (no graph optimizations).
    /// </summary>
    public static OnnxEncoder CreateShared(string graphPath, bool optimized, int? intraOpNumThreads, SharedWeights weights) =>
        Open(graphPath, () =>
        {
            using SessionOptions options = CreateSessionOptions(GlucoseExecutionProvider.Cpu, intraOpNumThreads);
            if (optimized)
            {
                options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
            }

            weights.AddTo(options);
            return (new InferenceSession(graphPath, options, weights.Container), false);
        });

    /// <summary>
    /// Runs one batch: <paramref name="sequences"/> padded with <c>&lt;pad&gt;</c> to the longest of them. Returns the
    /// token states, [batch, longest, <see cref="HiddenSize"/>], in a buffer that the next call overwrites.
    /// </summary>
    /// <remarks>
    /// Not thread-safe: the engine runs one batch at a time (its turn on the model), so the input and output
    /// buffers are allocated once, grown when a batch needs more, and reused (no per-batch allocation of the output).
    /// </remarks>
    public ReadOnlySpan<float> Run(IReadOnlyList<int[]> sequences, out int sequenceLength) => Run(_buffers, sequences, out sequenceLength);

    /// <summary>
    /// As <see cref="Run(IReadOnlyList{int[]}, out int)"/>, in <paramref name="buffers"/>: runs with distinct buffers
    /// may go on at once (ONNX Runtime's Run is thread-safe), which pays off on a session with one intra-op thread.
    /// </summary>
    public ReadOnlySpan<float> Run(RunBuffers buffers, IReadOnlyList<int[]> sequences, out int sequenceLength)
    {
        int batch = sequences.Count;
        int longest = 0;
        foreach (int[] sequence in sequences)
        {
            longest = Math.Max(longest, sequence.Length);
        }

        sequenceLength = longest;
        int tokens = batch * longest;
        int outputLength = checked(tokens * HiddenSize);
        buffers.EnsureCapacity(tokens, outputLength);

        Span<long> ids = buffers.Ids.AsSpan(0, tokens);
        Span<long> mask = buffers.Mask.AsSpan(0, tokens);
        ids.Fill(GlucoseTokenizer.PaddingId);
        mask.Clear();
        for (int b = 0; b < batch; b++)
        {
            int[] sequence = sequences[b];
            Span<long> rowIds = ids.Slice(b * longest, sequence.Length);
            for (int t = 0; t < sequence.Length; t++)
            {
                rowIds[t] = sequence[t];
            }

            mask.Slice(b * longest, sequence.Length).Fill(1);
        }

        long[] shape = [batch, longest];
        var inputs = new OrtValue[_inputNames.Length];
        try
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                long[] source = _inputNames[i] switch
                {
                    InputIdsName => buffers.Ids,
                    AttentionMaskName => buffers.Mask,
                    _ => buffers.Zeros,
                };
                inputs[i] = CreateIdTensor(source, tokens, shape);
            }

            using OrtValue output = OrtValue.CreateTensorValueFromMemory(
                OrtMemoryInfo.DefaultInstance, buffers.Output.AsMemory(0, outputLength), [batch, longest, HiddenSize]);
            long start = Stopwatch.GetTimestamp();
            _session.Run(_runOptions, _inputNames, inputs, _outputNames, [output]);
            long ticks = Stopwatch.GetTimestamp() - start;
            Interlocked.Add(ref _runTicks, ticks);
            Interlocked.Add(ref _paddedTokens, tokens);
            Interlocked.Increment(ref _runCount);
            EngineMetrics.RecordRun(batch, tokens, (double)ticks / Stopwatch.Frequency);
            if (RunLog is { } log)
            {
                lock (log)
                {
                    log.Add((batch, longest, ticks));
                }
            }
        }
        finally
        {
            foreach (OrtValue? value in inputs)
            {
                value?.Dispose();
            }
        }

        return buffers.Output.AsSpan(0, outputLength);
    }

    /// <summary>
    /// Runs the graph once on <c>&lt;s&gt;</c>, the highest token id, <c>&lt;/s&gt;</c>: proves at load time that the graph
    /// runs with these inputs, that its embedding table holds every id the tokenizer makes, and that its output has the
    /// shape the metadata promised (and warms the session up).
    /// </summary>
    /// <exception cref="InvalidDataException">The run fails; the message names the file and the likely cause.</exception>
    public void Probe(string modelPath, int vocabularySize, string tokenizerPath)
    {
        try
        {
            Run([[GlucoseTokenizer.BeginningOfSentenceId, vocabularySize - 1, GlucoseTokenizer.EndOfSentenceId]], out _);
        }
        catch (OnnxRuntimeException ex)
        {
            string cause = ex.Message.Contains("out of", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("bounds", StringComparison.OrdinalIgnoreCase)
                ? $"its embedding table does not hold token id {vocabularySize - 1}, but the tokenizer '{tokenizerPath}' makes ids up to it; use the tokenizer that belongs to this model"
                : $"a test run on 3 tokens failed (output '{OutputName}' declared [batch, sequence, {HiddenSize}])";
            throw new InvalidDataException($"'{modelPath}' cannot be used: {cause}. ONNX Runtime said: {ex.Message}", ex);
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private OrtValue CreateIdTensor(long[] values, int count, long[] shape)
    {
        if (_idType == TensorElementType.Int64)
        {
            return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, values.AsMemory(0, count), shape);
        }

        // Graphs with int32 ids are rare; they get a copy per input.
        var narrow = new int[count];
        for (int i = 0; i < count; i++)
        {
            narrow[i] = (int)values[i];
        }

        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, narrow.AsMemory(), shape);
    }

    // ONNX Runtime's load errors become InvalidDataException naming the file; a graph without the GLuCoSE inputs and
    // outputs is refused (FromSession) and its session released.
    private static OnnxEncoder Open(string modelPath, Func<(InferenceSession Session, bool FromCache)> open)
    {
        InferenceSession session;
        bool fromCache;
        try
        {
            (session, fromCache) = open();
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"'{modelPath}' is not a valid ONNX model for ONNX Runtime: {ex.Message}", ex);
        }

        try
        {
            OnnxEncoder encoder = FromSession(session, modelPath);
            encoder.FromOptimizedModelCache = fromCache;
            return encoder;
        }
        catch
        {
            session.Dispose();
            throw;
        }
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
                "of ONNX Runtime instead of the CPU one: package Microsoft.ML.OnnxRuntime.Gpu.Linux (or .Gpu.Windows) 1.32.0, " +
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

    /// <summary>
    /// The inputs and output of one run at a time, allocated once, grown when a batch needs more, and reused (no
    /// per-batch allocation of the [batch, sequence, hidden] output).
    /// </summary>
    internal sealed class RunBuffers
    {
        public long[] Ids { get; private set; } = [];

        public long[] Mask { get; private set; } = [];

        public long[] Zeros { get; private set; } = [];

        public float[] Output { get; private set; } = [];

        public void EnsureCapacity(int tokens, int outputLength)
        {
            if (Ids.Length < tokens)
            {
                int capacity = Math.Max(tokens, Ids.Length + (Ids.Length / 2));
                Ids = new long[capacity];
                Mask = new long[capacity];
                Zeros = new long[capacity];
            }

            if (Output.Length < outputLength)
            {
                Output = new float[Math.Max(outputLength, Output.Length + (Output.Length / 2))];
            }
        }
    }
}
