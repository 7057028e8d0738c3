using System;
using System.Collections.Generic;
using GLuCoSE.Engine;
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
        Guard.ThrowIfInvalidText(text, nameof(text));
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
        Guard.ThrowIfInvalidElements(texts, nameof(texts));
        ThrowIfDisposed();
        options ??= new ChunkingOptions();
        string prefix = Prompt(promptName);
        int maxSequenceLength = _engine.MaxSequenceLength;
        int maxTokens = options.MaxTokens ?? maxSequenceLength;
        if (maxTokens > maxSequenceLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), maxTokens, $"ChunkingOptions.MaxTokens is {maxTokens}, over the embedder's MaxSequenceLength ({maxSequenceLength}); use null for MaxSequenceLength or a smaller value.");
        }

        // The prompt goes before every chunk, so it takes its tokens from each chunk's budget.
        GlucoseTokenizer tokenizer = _engine.Tokenizer;
        int promptTokens = prefix.Length == 0 ? 0 : tokenizer.CountTokens(prefix) - tokenizer.CountTokens(string.Empty);
        int budget = maxTokens - promptTokens;
        ChunkingOptions.Validate(budget, options.OverlapTokens, nameof(options), nameof(options));

        var chunksPerText = new IReadOnlyList<TextChunk>[texts.Count];
        var chunkTexts = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            chunksPerText[i] = TextChunker.SplitWithPrefix(texts[i], tokenizer, prefix, maxTokens, budget, options.OverlapTokens);
            foreach (TextChunk chunk in chunksPerText[i])
            {
                chunkTexts.Add(chunk.Text);
            }
        }

        float[][] chunkEmbeddings = _engine.Embed(chunkTexts, new EncodeCall(prefix));
        var results = new DocumentEmbedding[texts.Count];
        int next = 0;
        for (int i = 0; i < results.Length; i++)
        {
            IReadOnlyList<TextChunk> chunks = chunksPerText[i];
            float[][] embeddings = chunkEmbeddings[next..(next + chunks.Count)];
            next += chunks.Count;
            var tokenCounts = new int[chunks.Count];
            for (int c = 0; c < tokenCounts.Length; c++)
            {
                tokenCounts[c] = chunks[c].TokenCount;
            }

            results[i] = new DocumentEmbedding(ChunkPooling.Pool(embeddings, tokenCounts, _options.NormalizeEmbeddings), chunks, embeddings);
        }

        return results;
    }
}
