using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace GLuCoSE;

public sealed partial class GlucoseEmbedder
{
    /// <summary>
    /// Computes the embeddings of many texts on the thread pool, one batch (<see cref="GlucoseEmbedderOptions.BatchSize"/>
    /// texts) at a time, reporting progress after each batch; the results are in input order.
    /// </summary>
    /// <param name="texts">The texts (with <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>'s prompt before each, when set).</param>
    /// <param name="progress">Told the texts done after each batch (and 0 at the start); null for none.</param>
    /// <param name="cancellationToken">Checked between batches: a batch that has started runs to its end.</param>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public Task<float[][]> EncodeAsync(
        IReadOnlyList<string> texts,
        IProgress<EncodeProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        EncodeAsync(texts, promptName: null, progress, cancellationToken);

    /// <summary>
    /// Computes the embeddings of many texts with a prompt put before each, on the thread pool, one batch at a time,
    /// reporting progress after each batch; the results are in input order.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>.
    /// </param>
    /// <param name="progress">Told the texts done after each batch (and 0 at the start); null for none.</param>
    /// <param name="cancellationToken">Checked between batches: a batch that has started runs to its end.</param>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null, or <paramref name="promptName"/> is not one of the prompts.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public Task<float[][]> EncodeAsync(
        IReadOnlyList<string> texts,
        string? promptName,
        IProgress<EncodeProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ThrowIfDisposed();
        CheckElements(texts);
        string prefix = GetPrompt(promptName);
        return Task.Run(() => EncodeEmbeddings(texts, prefix, progress, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Embeds a stream of texts too large to hold, yielding each embedding with its position as soon as its batch is
    /// done. At most one batch (<see cref="GlucoseEmbedderOptions.BatchSize"/> texts and their embeddings) is held at a
    /// time, so memory does not grow with the source.
    /// </summary>
    /// <param name="texts">The texts, read lazily, one batch ahead of what has been yielded.</param>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>.
    /// </param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The embeddings in source order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate (named by its position), or <paramref name="promptName"/> is not one of the prompts.</exception>
    public IAsyncEnumerable<IndexedEmbedding> EncodeStreamAsync(
        IEnumerable<string> texts,
        string? promptName = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ThrowIfDisposed();
        return EncodeStreamCore(ToAsync(texts), GetPrompt(promptName), cancellationToken);
    }

    /// <summary>
    /// Embeds an asynchronous stream of texts too large to hold, yielding each embedding with its position as soon as its
    /// batch is done. At most one batch is held at a time, so memory does not grow with the source.
    /// </summary>
    /// <param name="texts">The texts, read one batch ahead of what has been yielded.</param>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>.
    /// </param>
    /// <param name="cancellationToken">Passed to the source and checked between batches.</param>
    /// <returns>The embeddings in source order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate (named by its position), or <paramref name="promptName"/> is not one of the prompts.</exception>
    public IAsyncEnumerable<IndexedEmbedding> EncodeStreamAsync(
        IAsyncEnumerable<string> texts,
        string? promptName = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ThrowIfDisposed();
        return EncodeStreamCore(texts, GetPrompt(promptName), cancellationToken);
    }

    private async IAsyncEnumerable<IndexedEmbedding> EncodeStreamCore(
        IAsyncEnumerable<string> texts,
        string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int batchSize = _options.EffectiveBatchSize;
        var batch = new List<string>(Math.Min(batchSize, 1024));
        long next = 0;
        await foreach (string? text in texts.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (text is null)
            {
                throw new ArgumentException($"texts[{next + batch.Count}] is null.", nameof(texts));
            }

            // Checked here, where the text's place in the whole stream is known (the batch only knows its own).
            ThrowIfUnpairedSurrogate(text, next + batch.Count);

            batch.Add(text);
            if (batch.Count == batchSize)
            {
                float[][] embeddings = await EncodeBatchAsync(batch, prefix, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < embeddings.Length; i++)
                {
                    yield return new IndexedEmbedding(next++, embeddings[i]);
                }

                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            float[][] embeddings = await EncodeBatchAsync(batch, prefix, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < embeddings.Length; i++)
            {
                yield return new IndexedEmbedding(next++, embeddings[i]);
            }
        }
    }

    private Task<float[][]> EncodeBatchAsync(List<string> batch, string prefix, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string[] texts = batch.ToArray();
        return Task.Run(() => EncodeEmbeddings(texts, prefix, cancellationToken: cancellationToken), cancellationToken);
    }


#pragma warning disable CS1998 // An async iterator over a synchronous source has nothing to await.
    private static async IAsyncEnumerable<string> ToAsync(IEnumerable<string> texts)
#pragma warning restore CS1998
    {
        foreach (string text in texts)
        {
            yield return text;
        }
    }
}
