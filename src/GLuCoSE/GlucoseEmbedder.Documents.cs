using System;
using System.Collections.Generic;
using GLuCoSE.Pooling;

namespace GLuCoSE;

public sealed partial class GlucoseEmbedder
{
    /// <summary>
    /// Embeds a text of any length: a text over the token limit is cut into chunks at sentence ends with some
    /// overlap (<see cref="TextChunker"/>), each chunk is embedded, and the chunk embeddings are pooled into one for
    /// the whole text. A text that fits gets exactly the embedding <see cref="Encode(string, string?)"/> gives it.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="options">Chunk size and overlap; null for the defaults (chunks of <see cref="MaxSequenceLength"/> tokens, 64 tokens of overlap).</param>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>, put before every chunk; null for
    /// <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds an unpaired surrogate, or <paramref name="promptName"/> is not one of the prompts.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The chunk size is over <see cref="MaxSequenceLength"/>, or leaves no room beside the prompt, or the overlap is not less than it.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public DocumentEmbedding EncodeDocument(string text, ChunkingOptions? options = null, string? promptName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        GlucoseTokenizer.ThrowIfUnpairedSurrogate(text, nameof(text));
        return EncodeDocuments([text], options, promptName)[0];
    }

    /// <summary>Embeds texts of any length, all their chunks batched together; see <see cref="EncodeDocument"/>.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="options">Chunk size and overlap; null for the defaults.</param>
    /// <param name="promptName">A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for the default prompt.</param>
    /// <returns>One <see cref="DocumentEmbedding"/> per text, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate (the message names its index), or <paramref name="promptName"/> is not one of the prompts.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The chunk size is over <see cref="MaxSequenceLength"/>, or leaves no room beside the prompt, or the overlap is not less than it.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public DocumentEmbedding[] EncodeDocuments(IReadOnlyList<string> texts, ChunkingOptions? options = null, string? promptName = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ThrowIfDisposed();
        options ??= new ChunkingOptions();
        string prefix = GetPrompt(promptName);
        int maxTokens = options.MaxTokens == 0 ? _maxSequenceLength : options.MaxTokens;
        if (maxTokens > _maxSequenceLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), maxTokens, $"ChunkingOptions.MaxTokens is {maxTokens}, over the embedder's MaxSequenceLength ({_maxSequenceLength}); use 0 for MaxSequenceLength or a smaller value.");
        }

        // The prompt goes before every chunk, so it takes its tokens from each chunk's budget.
        int promptTokens = prefix.Length == 0 ? 0 : _tokenizer.CountTokens(prefix) - _tokenizer.CountTokens(string.Empty);
        int budget = maxTokens - promptTokens;
        ChunkingOptions.Validate(budget, options.OverlapTokens, nameof(options), nameof(options));

        var chunksPerText = new IReadOnlyList<TextChunk>[texts.Count];
        var chunkTexts = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            string? text = texts[i] ?? throw new ArgumentException($"texts[{i}] is null.", nameof(texts));
            ThrowIfUnpairedSurrogate(text, i);
            chunksPerText[i] = SplitWithPrompt(text, prefix, maxTokens, budget, options.OverlapTokens);
            foreach (TextChunk chunk in chunksPerText[i])
            {
                chunkTexts.Add(string.Concat(prefix, chunk.Text));
            }
        }

        float[][] chunkEmbeddings = EncodeEmbeddings(chunkTexts, string.Empty);
        var results = new DocumentEmbedding[texts.Count];
        int next = 0;
        for (int i = 0; i < results.Length; i++)
        {
            IReadOnlyList<TextChunk> chunks = chunksPerText[i];
            var embeddings = new float[chunks.Count][];
            Array.Copy(chunkEmbeddings, next, embeddings, 0, chunks.Count);
            next += chunks.Count;
            results[i] = new DocumentEmbedding(PoolChunks(chunks, embeddings), chunks, embeddings);
        }

        return results;
    }

    /// <summary>
    /// Splits <paramref name="text"/> into chunks of <paramref name="budget"/> tokens; with a prompt, checks that each
    /// chunk still fits <paramref name="maxTokens"/> with the prompt before it (SentencePiece may segment the join of
    /// prompt and chunk into more pieces than the two alone) and splits again with a smaller budget where one does not.
    /// </summary>
    private IReadOnlyList<TextChunk> SplitWithPrompt(string text, string prefix, int maxTokens, int budget, int overlap)
    {
        while (true)
        {
            IReadOnlyList<TextChunk> chunks = TextChunker.Split(text, Tokenizer, budget, overlap);
            if (prefix.Length == 0 || chunks.Count == 1)
            {
                return chunks;
            }

            int excess = 0;
            foreach (TextChunk chunk in chunks)
            {
                excess = Math.Max(excess, _tokenizer.CountTokens(string.Concat(prefix, chunk.Text)) - maxTokens);
            }

            if (excess <= 0 || budget - excess <= overlap)
            {
                // Fits; or cannot shrink further (then the few tokens over are truncated, as any over-long text is).
                return chunks;
            }

            budget -= excess;
        }
    }

    private float[] PoolChunks(IReadOnlyList<TextChunk> chunks, float[][] embeddings)
    {
        if (chunks.Count == 1)
        {
            return (float[])embeddings[0].Clone();
        }

        // Weighting by tokens makes the pooled vector the mean over all chunk tokens, as mean pooling is over tokens.
        var pooled = new float[embeddings[0].Length];
        float total = 0;
        for (int c = 0; c < chunks.Count; c++)
        {
            float weight = chunks[c].TokenCount;
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(embeddings[c], weight, pooled, pooled);
            total += weight;
        }

        System.Numerics.Tensors.TensorPrimitives.Divide(pooled, total, pooled);
        if (_options.NormalizeEmbeddings)
        {
            MeanPooling.Normalize(pooled);
        }

        return pooled;
    }
}
