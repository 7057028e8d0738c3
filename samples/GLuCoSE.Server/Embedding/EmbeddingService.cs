using System.Numerics.Tensors;
using GLuCoSE.Server.Http;
using GLuCoSE.Server.Model;

namespace GLuCoSE.Server.Embedding;

/// <summary>
/// What both APIs share: count each text's tokens (refusing over-long texts when truncation is off), embed through the
/// server's one embedder, and scale to unit length when asked.
/// </summary>
/// <remarks>
/// A request of one text calls <see cref="GlucoseEmbedder.Encode(string, string?)"/>, which joins the micro-batch of
/// every other request in flight; a request of many calls <see cref="GlucoseEmbedder.EncodeAsync"/>, batched as
/// sentence-transformers batches. Neither takes a lock: the embedder schedules its own runs.
/// </remarks>
internal sealed class EmbeddingService(EmbedderHost host, ServerMetrics metrics)
{
    /// <summary>Embeds <paramref name="texts"/>, in order.</summary>
    /// <param name="texts">The texts, already checked by <see cref="JsonRequest.Texts"/>.</param>
    /// <param name="request">How to embed them.</param>
    /// <param name="cancellationToken">The request's: checked between batches.</param>
    public async Task<EmbeddingResult> EmbedAsync(string[] texts, EmbeddingRequest request, CancellationToken cancellationToken)
    {
        GlucoseEmbedder embedder = host.Require();
        string prompt = host.Prompt(request.PromptName);
        int maxTokens = embedder.MaxSequenceLength;

        // Counted as the model sees them: the prompt before the text, <s> and </s> included, cut at the limit. Without
        // truncation one token more is asked for, to tell a text that fits from one that would be cut.
        long tokens = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            int count = embedder.Tokenizer.EncodeToIds(prompt.Length == 0 ? texts[i] : prompt + texts[i], request.Truncate ? maxTokens : maxTokens + 1).Length;
            if (count > maxTokens)
            {
                throw new ApiException(
                    ApiErrorKind.InvalidRequest,
                    $"'{request.InputParam}[{i}]' is longer than the model's {maxTokens} tokens (<s>, </s> and any prompt included); shorten it, or set 'truncate' to true to embed its first {maxTokens} tokens.",
                    request.InputParam);
            }

            tokens += count;
        }

        float[][] vectors = texts.Length == 1
            ? [embedder.Encode(texts[0], request.PromptName)]
            : await embedder.EncodeAsync(texts, request.PromptName, progress: null, cancellationToken).ConfigureAwait(false);
        if (request.Normalize)
        {
            foreach (float[] vector in vectors)
            {
                // As the library's NormalizeEmbeddings (and torch's F.normalize): v / max(||v||, 1e-12).
                TensorPrimitives.Divide(vector, MathF.Max(TensorPrimitives.Norm(vector), 1e-12f), vector);
            }
        }

        metrics.Embedded(request.Route, texts.Length, tokens);
        return new EmbeddingResult(vectors, tokens, host.ModelId ?? string.Empty);
    }
}
