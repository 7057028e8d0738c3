using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Engine;

namespace GLuCoSE;

public sealed partial class GlucoseEmbedder
{
    /// <summary>
    /// Computes the embeddings of many texts on the thread pool, one batch at a time, reporting progress after each
    /// batch; the results are in input order.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>
    /// (no prompt when that is null too).
    /// </param>
    /// <param name="progress">Told the texts done after each batch (and 0 at the start); null for none.</param>
    /// <param name="cancellationToken">
    /// Checked between batches, and ends a wait for the model (behind other callers' batches); a batch that has started
    /// runs to its end.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate, or <paramref name="promptName"/> is not one of the prompts.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public Task<float[][]> EncodeAsync(
        IReadOnlyList<string> texts,
        string? promptName = null,
        IProgress<EncodeProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Guard.ThrowIfInvalidElements(texts, nameof(texts));
        ThrowIfDisposed();
        var call = new EncodeCall(Prompt(promptName), progress, cancellationToken);
        return Task.Run(() => _engine.Embed(texts, call), cancellationToken);
    }

    /// <summary>
    /// Embeds a stream of texts too large to hold, yielding each embedding with its position as soon as its batch is
    /// done. At most one batch (<see cref="GlucoseEmbedderOptions.BatchSize"/> texts and their embeddings) is held at a
    /// time, so memory does not grow with the source. For a synchronous source (<c>File.ReadLines</c>), see
    /// <see cref="GlucoseEmbedderExtensions.EncodeStreamAsync(GlucoseEmbedder, IEnumerable{string}, string?, CancellationToken)"/>.
    /// </summary>
    /// <param name="texts">The texts, read one batch ahead of what has been yielded.</param>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>.
    /// </param>
    /// <param name="cancellationToken">Passed to the source and checked between batches.</param>
    /// <returns>The embeddings in source order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate (named by its position), or <paramref name="promptName"/> is not one of the prompts.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public IAsyncEnumerable<IndexedEmbedding> EncodeStreamAsync(
        IAsyncEnumerable<string> texts,
        string? promptName = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ThrowIfDisposed();
        return EncodeStreamCore(texts, Prompt(promptName), cancellationToken);
    }

    private async IAsyncEnumerable<IndexedEmbedding> EncodeStreamCore(
        IAsyncEnumerable<string> texts,
        string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int batchSize = _engine.Policy.BatchSize;
        var batch = new List<string>(Math.Min(batchSize, 1024));
        long next = 0;
        await foreach (string? text in texts.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            // Checked here, where the text's place in the whole stream is known (the batch only knows its own).
            Guard.ThrowIfInvalidElement(text, next + batch.Count, nameof(texts));
            batch.Add(text!);
            if (batch.Count == batchSize)
            {
                foreach (float[] embedding in await EncodeBatchAsync(batch, prefix, cancellationToken).ConfigureAwait(false))
                {
                    yield return new IndexedEmbedding(next++, embedding);
                }

                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            foreach (float[] embedding in await EncodeBatchAsync(batch, prefix, cancellationToken).ConfigureAwait(false))
            {
                yield return new IndexedEmbedding(next++, embedding);
            }
        }
    }

    private Task<float[][]> EncodeBatchAsync(List<string> batch, string prefix, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string[] texts = batch.ToArray();
        return Task.Run(() => _engine.Embed(texts, new EncodeCall(prefix, progress: null, cancellationToken)), cancellationToken);
    }
}
