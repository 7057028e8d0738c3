using System;
using System.Collections.Generic;
using System.Threading;

namespace GLuCoSE;

/// <summary>Conveniences over <see cref="GlucoseEmbedder"/>.</summary>
public static class GlucoseEmbedderExtensions
{
    /// <summary>
    /// Embeds a synchronous stream of texts too large to hold (such as <c>File.ReadLines</c>), as
    /// <see cref="GlucoseEmbedder.EncodeStreamAsync(IAsyncEnumerable{string}, string?, CancellationToken)"/> does.
    /// </summary>
    /// <param name="embedder">The embedder.</param>
    /// <param name="texts">The texts, read lazily, one batch ahead of what has been yielded.</param>
    /// <param name="promptName">A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for the default prompt.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The embeddings in source order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embedder"/> or <paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null or holds an unpaired surrogate (named by its position), or <paramref name="promptName"/> is not one of the prompts.</exception>
    public static IAsyncEnumerable<IndexedEmbedding> EncodeStreamAsync(
        this GlucoseEmbedder embedder,
        IEnumerable<string> texts,
        string? promptName = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(texts);
        return embedder.EncodeStreamAsync(ToAsync(texts), promptName, cancellationToken);
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
