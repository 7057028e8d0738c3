using System;
using System.Collections.Generic;
using System.IO;
using GLuCoSE.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GLuCoSE;

/// <summary>
/// Computes GLuCoSE sentence embeddings in-process: the exact MLuke tokenizer, an ONNX Runtime session over the
/// exported LUKE encoder, mean pooling over the attention mask, and optional L2 normalization, as
/// sentence-transformers' <c>encode</c> does.
/// </summary>
/// <remarks>
/// <para>Create one embedder per model and share it: every member is thread-safe. Concurrent
/// <see cref="Encode(string)"/> calls are coalesced into shared batches; bulk calls interleave batch by batch.</para>
/// <para>The embedder owns native resources; dispose it when done. After <see cref="Dispose"/>, members throw
/// <see cref="ObjectDisposedException"/>. <see cref="Dispose"/> may be called while other threads encode: it waits for
/// the model run in progress to finish, then releases the session; calls still waiting for the model, and any made
/// later, throw <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed partial class GlucoseEmbedder : IDisposable
{
    private readonly EmbeddingEngine _engine;
    private readonly GlucoseEmbedderOptions _options;
    private volatile bool _disposed;

    /// <summary>Wraps an engine opened with <paramref name="options"/> (validated); the embedder owns the engine.</summary>
    internal GlucoseEmbedder(EmbeddingEngine engine, GlucoseEmbedderOptions options)
    {
        _engine = engine;
        _options = options;
    }

    /// <summary>Gets the length of the embeddings (768 for GLuCoSE-base-ja), read from the model's output metadata.</summary>
    public int Dimensions
    {
        get
        {
            ThrowIfDisposed();
            return _engine.Dimensions;
        }
    }

    /// <summary>Gets the most tokens per text, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included; longer texts are truncated.</summary>
    public int MaxSequenceLength
    {
        get
        {
            ThrowIfDisposed();
            return _engine.MaxSequenceLength;
        }
    }

    /// <summary>Gets the tokenizer that turns texts into the model's token ids.</summary>
    public GlucoseTokenizer Tokenizer
    {
        get
        {
            ThrowIfDisposed();
            return _engine.Tokenizer;
        }
    }

    /// <summary>Loads a model folder: an ONNX graph and the Hugging Face tokenizer and config files beside it.</summary>
    /// <param name="modelDirectory">
    /// The folder: <c>model.onnx</c> (or <c>onnx/model.onnx</c>, or <see cref="GlucoseEmbedderOptions.ModelFileName"/>),
    /// <c>sentencepiece.bpe.model</c>, and optionally <c>sentence_bert_config.json</c> and <c>config.json</c>.
    /// </param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="modelDirectory"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is not valid (an unknown <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>, a blank model file name).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The ONNX graph or the tokenizer file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid model, or the graph does not have the GLuCoSE inputs and outputs.</exception>
    /// <exception cref="InvalidOperationException">The CUDA provider was asked for and cannot be loaded.</exception>
    public static GlucoseEmbedder Create(string modelDirectory, GlucoseEmbedderOptions? options = null) =>
        Create(modelDirectory, options, NullLogger.Instance);

    /// <summary>As <see cref="Create(string, GlucoseEmbedderOptions?)"/>, logging the load and truncated inputs to <paramref name="logger"/>.</summary>
    internal static GlucoseEmbedder Create(string modelDirectory, GlucoseEmbedderOptions? options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        GlucoseEmbedderOptions settings = (options ?? new GlucoseEmbedderOptions()).ValidatedCopy();
        return new GlucoseEmbedder(EmbeddingEngine.Open(modelDirectory, settings, logger, TimeProvider.System), settings);
    }

    /// <summary>Computes the embedding of one text.</summary>
    /// <remarks>
    /// Built for many concurrent callers (a web app embedding one query per request): texts that arrive while the
    /// model is busy are coalesced into one batch, so throughput approaches batched <see cref="Encode(IReadOnlyList{string})"/>;
    /// a caller that finds the model idle runs at once. The default prompt (<see cref="GlucoseEmbedderOptions.DefaultPromptName"/>) applies.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds an unpaired surrogate.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[] Encode(string text) => Encode(text, promptName: null);

    /// <summary>Computes the embedding of one text with a prompt put before it.</summary>
    /// <param name="text">The text.</param>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>
    /// (no prompt when that is null too).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds an unpaired surrogate, or <paramref name="promptName"/> is not one of the prompts.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[] Encode(string text, string? promptName)
    {
        Guard.ThrowIfInvalidText(text, nameof(text));
        ThrowIfDisposed();
        return _engine.EmbedOne(text, Prompt(promptName));
    }

    /// <summary>Computes the embeddings of many texts, batched; the results are in input order.</summary>
    /// <remarks>The default prompt (<see cref="GlucoseEmbedderOptions.DefaultPromptName"/>) applies.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate (the message names its index).</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[][] Encode(IReadOnlyList<string> texts) => Encode(texts, promptName: null);

    /// <summary>Computes the embeddings of many texts with a prompt put before each, batched; the results are in input order.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>
    /// (no prompt when that is null too).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate (the message names its index), or <paramref name="promptName"/> is not one of the prompts.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[][] Encode(IReadOnlyList<string> texts, string? promptName)
    {
        Guard.ThrowIfInvalidElements(texts, nameof(texts));
        ThrowIfDisposed();
        return _engine.Embed(texts, new EncodeCall(Prompt(promptName)));
    }

    /// <summary>
    /// Computes the per-token states of one text (the model's last hidden state, before pooling), for custom pooling.
    /// The default prompt applies.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds an unpaired surrogate.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public TokenEmbeddings EncodeTokens(string text)
    {
        Guard.ThrowIfInvalidText(text, nameof(text));
        ThrowIfDisposed();
        return _engine.EmbedTokens([text], new EncodeCall(Prompt(null)))[0];
    }

    /// <summary>Computes the per-token states of many texts; the results are in input order. The default prompt applies.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate (the message names its index).</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public TokenEmbeddings[] EncodeTokens(IReadOnlyList<string> texts)
    {
        Guard.ThrowIfInvalidElements(texts, nameof(texts));
        ThrowIfDisposed();
        return _engine.EmbedTokens(texts, new EncodeCall(Prompt(null)));
    }

    /// <summary>
    /// Releases the ONNX Runtime session, after the model run in progress (if any) finishes. Safe to call more than
    /// once and from any thread; encoding calls that have not reached the model yet throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        _engine.Dispose();
    }

    // The prefix a call puts before each text; throws for an unknown prompt name.
    private string Prompt(string? promptName) =>
        PromptResolver.Resolve(_options.Prompts, _options.DefaultPromptName, promptName, nameof(promptName));

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
