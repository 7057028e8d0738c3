using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using GLuCoSE.Inference;

namespace GLuCoSE;

/// <summary>
/// Computes GLuCoSE sentence embeddings in-process: the exact MLuke tokenizer, an ONNX Runtime session over the
/// exported LUKE encoder, mean pooling over the attention mask, and optional L2 normalization, as
/// sentence-transformers' <c>encode</c> does.
/// </summary>
/// <remarks>
/// <para>Create one embedder per model and share it: every member is thread-safe, and concurrent calls run on the
/// same ONNX Runtime session.</para>
/// <para>The embedder owns native resources; dispose it when done. After <see cref="Dispose"/>, members throw
/// <see cref="ObjectDisposedException"/>. <see cref="Dispose"/> may be called while other threads encode: it waits for
/// the model run in progress to finish, then releases the session; calls still waiting for the model, and any made
/// later, throw <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed partial class GlucoseEmbedder : IDisposable
{
    private const int DefaultMaxSequenceLength = 512;

    private readonly ModelRunners _runners;
    private readonly OnnxEncoder _encoder;
    private readonly GlucoseEmbedderOptions _options;
    private readonly MicroBatcher _batcher;
    private readonly GlucoseTokenizer _tokenizer;
    private readonly int _maxSequenceLength;
    private readonly string _modelPath;
    private volatile bool _disposed;
    private long _laneBatches;
    private int _disposeStarted;

    private GlucoseEmbedder(ModelRunners runners, GlucoseTokenizer tokenizer, GlucoseEmbedderOptions options, int maxSequenceLength, string modelPath)
    {
        _runners = runners;
        _encoder = runners.Main;
        _options = options;
        _batcher = new MicroBatcher(options.EffectiveBatchSize, options.MicroBatchWait);
        _tokenizer = tokenizer;
        _maxSequenceLength = maxSequenceLength;
        _modelPath = modelPath;
    }

    /// <summary>Gets the length of the embeddings (768 for GLuCoSE-base-ja), read from the model's output metadata.</summary>
    public int Dimensions
    {
        get
        {
            ThrowIfDisposed();
            return _encoder.HiddenSize;
        }
    }

    /// <summary>
    /// Gets the most texts per model run: <see cref="GlucoseEmbedderOptions.BatchSize"/>, or the execution provider's
    /// default when it was null.
    /// </summary>
    public int BatchSize
    {
        get
        {
            ThrowIfDisposed();
            return _options.EffectiveBatchSize;
        }
    }

    /// <summary>
    /// Gets the most padded tokens per model run (0: no budget): <see cref="GlucoseEmbedderOptions.MaxBatchTokens"/>, or
    /// the execution provider's default when it was null.
    /// </summary>
    public int MaxBatchTokens
    {
        get
        {
            ThrowIfDisposed();
            return _options.EffectiveMaxBatchTokens;
        }
    }

    /// <summary>Gets the tokenizer that turns texts into the model's token ids.</summary>
    public GlucoseTokenizer Tokenizer
    {
        get
        {
            ThrowIfDisposed();
            return _tokenizer;
        }
    }

    /// <summary>Gets the most tokens per text, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included; longer texts are truncated.</summary>
    public int MaxSequenceLength
    {
        get
        {
            ThrowIfDisposed();
            return _maxSequenceLength;
        }
    }

    /// <summary>Gets the full path of the ONNX file in use.</summary>
    public string ModelPath
    {
        get
        {
            ThrowIfDisposed();
            return _modelPath;
        }
    }

    /// <summary>Loads a model folder: an ONNX graph and the Hugging Face tokenizer and config files beside it.</summary>
    /// <param name="modelDirectory">
    /// The folder: <c>model.onnx</c> (or <c>onnx/model.onnx</c>, or <see cref="GlucoseEmbedderOptions.ModelFileName"/>),
    /// <c>sentencepiece.bpe.model</c>, and optionally <c>sentence_bert_config.json</c> and <c>config.json</c>.
    /// </param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="modelDirectory"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The ONNX graph or the tokenizer file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid model, or the graph does not have the GLuCoSE inputs and outputs.</exception>
    /// <exception cref="InvalidOperationException">The CUDA provider was asked for and cannot be loaded.</exception>
    public static GlucoseEmbedder Create(string modelDirectory, GlucoseEmbedderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        GlucoseEmbedderOptions settings = (options ?? new GlucoseEmbedderOptions()).Clone();
        Validate(settings);

        ModelFolder folder = ModelFolder.Open(modelDirectory, settings.ModelFileName);
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(folder.TokenizerPath);

        int maxLength = settings.MaxSequenceLength != 0 ? settings.MaxSequenceLength : folder.MaxSequenceLength ?? DefaultMaxSequenceLength;
        int maxPositions = folder.MaxPositions ?? DefaultMaxSequenceLength;
        if (maxLength < 2 || maxLength > maxPositions)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                maxLength,
                $"MaxSequenceLength must be between 2 and {maxPositions} (the model's position embeddings) for '{folder.Directory}'.");
        }

        if (folder.VocabularySize is int configured && configured < tokenizer.VocabularySize)
        {
            throw new InvalidDataException(
                $"The tokenizer '{folder.TokenizerPath}' makes {tokenizer.VocabularySize} token ids, but config.json in " +
                $"'{folder.Directory}' gives the model only {configured} (vocab_size); use the tokenizer that belongs to this model.");
        }

        ModelRunners runners = ModelRunners.Open(folder.ModelPath, settings, tokenizer.VocabularySize, folder.TokenizerPath);
        return new GlucoseEmbedder(runners, tokenizer, settings, maxLength, folder.ModelPath);
    }

    /// <summary>Computes the embedding of one text.</summary>
    /// <remarks>
    /// Built for many concurrent callers (a web app embedding one query per request): texts that arrive while the
    /// model is busy are coalesced into one batch, so throughput approaches batched <see cref="Encode(IReadOnlyList{string})"/>;
    /// a caller that finds the model idle runs at once.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds an unpaired surrogate.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        GlucoseTokenizer.ThrowIfUnpairedSurrogate(text, nameof(text));
        ThrowIfDisposed();
        return EncodeSingle(text, GetPrompt(null));
    }

    /// <summary>Computes the embeddings of many texts, batched; the results are in input order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate (the message names its index).</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[][] Encode(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ThrowIfDisposed();
        return EncodeEmbeddings(texts, GetPrompt(null));
    }

    /// <summary>
    /// Computes the per-token states of one text (the model's last hidden state, before pooling), for custom pooling.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds an unpaired surrogate.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public TokenEmbeddings EncodeTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        GlucoseTokenizer.ThrowIfUnpairedSurrogate(text, nameof(text));
        return EncodeTokens([text])[0];
    }

    /// <summary>Computes the per-token states of many texts; the results are in input order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate (the message names its index).</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public TokenEmbeddings[] EncodeTokens(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ThrowIfDisposed();
        var results = new TokenEmbeddings[texts.Count];
        int width = _encoder.HiddenSize;
        RunBatches(texts, new EncodeCall(GetPrompt(null), default, null), (index, tokenIds, tokenStates) =>
            results[index] = new TokenEmbeddings(tokenIds, width, tokenStates[..(tokenIds.Length * width)].ToArray()));
        return results;
    }

    /// <summary>
    /// Releases the ONNX Runtime session, after the model run in progress (if any) finishes. Safe to call more than
    /// once and from any thread; encoding calls that have not reached the model yet throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            return;
        }

        _disposed = true;

        // The model's turn: no run is in progress while the session goes away, and every turn after this one sees
        // _disposed and throws instead of touching the session.
        _batcher.RunExclusive(_runners.Dispose);
    }

    private static void Validate(GlucoseEmbedderOptions options)
    {
        if (options.BatchSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be null (the provider's default) or at least 1.");
        }

        if (options.MaxBatchTokens is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxBatchTokens, "MaxBatchTokens must be null (the provider's default), 0 (no token budget) or positive.");
        }

        if (options.MicroBatchWait < TimeSpan.Zero || options.MicroBatchWait > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MicroBatchWait, "MicroBatchWait must be between zero and one second.");
        }

        if (options.MaxSequenceLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxSequenceLength, "MaxSequenceLength must be 0 (the model's default) or at least 2.");
        }

        if (options.IntraOpNumThreads is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.IntraOpNumThreads, "IntraOpNumThreads must be null, 0 (ONNX Runtime's choice) or positive.");
        }

        if (string.IsNullOrWhiteSpace(options.ModelFileName))
        {
            throw new ArgumentException("ModelFileName must name the ONNX file in the model folder.", nameof(options));
        }

        if (options.DefaultPromptName is string name && !options.Prompts.ContainsKey(name))
        {
            string known = options.Prompts.Count == 0 ? "none are set" : "the prompts are '" + string.Join("', '", options.Prompts.Keys) + "'";
            throw new ArgumentException(
                $"DefaultPromptName '{name}' is not one of GlucoseEmbedderOptions.Prompts ({known}). Add it to Prompts " +
                "(GlucosePrompts.UseVersion2Prompts adds GLuCoSE v2's 'query' and 'passage'), or leave DefaultPromptName null.",
                nameof(options));
        }

        if (!Enum.IsDefined(options.ExecutionProvider))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ExecutionProvider, "ExecutionProvider must be Cpu or Cuda.");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
