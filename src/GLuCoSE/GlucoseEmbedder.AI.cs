using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Engine;
using Microsoft.Extensions.AI;

namespace GLuCoSE;

/// <remarks>
/// As a <c>Microsoft.Extensions.AI</c> <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, the embedder is
/// thread-safe, checks cancellation between batches, reports the input token count as usage, and describes itself
/// through <see cref="GetService"/> with an <see cref="EmbeddingGeneratorMetadata"/>.
/// </remarks>
public sealed partial class GlucoseEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    private const string ProviderName = "GLuCoSE";

    // EmbeddingGenerationOptions.AdditionalProperties keys, as sentence-transformers names its arguments: a prompt name,
    // and a literal prompt (which wins).
    private const string PromptNameProperty = "prompt_name";
    private const string PromptProperty = "prompt";

    private EmbeddingGeneratorMetadata? _metadata;

    // The model id reported through Microsoft.Extensions.AI: GlucoseEmbedderOptions.ModelId, else the model folder's name.
    private string ModelId => _options.ModelId ?? ModelFolderName(_engine.ModelPath);

    /// <summary>Embeds <paramref name="values"/> for <c>Microsoft.Extensions.AI</c>, batched; the results are in input order.</summary>
    /// <param name="values">The texts.</param>
    /// <param name="options">
    /// Null for the defaults. <see cref="EmbeddingGenerationOptions.Dimensions"/> must be null or
    /// <see cref="Dimensions"/>; <see cref="EmbeddingGenerationOptions.ModelId"/> is ignored (the embedder runs one
    /// model); <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> may hold <c>"prompt_name"</c> (a key of
    /// <see cref="GlucoseEmbedderOptions.Prompts"/>) or <c>"prompt"</c> (a literal prefix).
    /// </param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>One <see cref="Embedding{T}"/> per value, with <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/> giving the tokens processed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException">A value is null, the prompt name is not one of the prompts, or a prompt property is not a string.</exception>
    /// <exception cref="NotSupportedException"><paramref name="options"/> asks for other dimensions than the model's.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ThrowIfDisposed();
        if (options?.Dimensions is int dimensions && dimensions != Dimensions)
        {
            throw new NotSupportedException(
                $"EmbeddingGenerationOptions.Dimensions is {dimensions}, but model '{ModelId}' makes {Dimensions}-dimensional " +
                $"embeddings and GLuCoSE cannot shorten them. Leave Dimensions null or set it to {Dimensions}.");
        }

        var texts = values as IReadOnlyList<string> ?? new List<string>(values);
        Guard.ThrowIfInvalidElements(texts, nameof(values));
        var call = new EncodeCall(PromptFor(options), progress: null, cancellationToken);
        float[][] vectors = await Task.Run(() => _engine.Embed(texts, call), cancellationToken).ConfigureAwait(false);
        long tokens = call.Tokens;

        DateTimeOffset createdAt = DateTimeOffset.UtcNow;
        string modelId = ModelId;
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length)
        {
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
        };
        foreach (float[] vector in vectors)
        {
            result.Add(new Embedding<float>(vector) { ModelId = modelId, CreatedAt = createdAt });
        }

        return result;
    }

    /// <summary>
    /// Returns an <see cref="EmbeddingGeneratorMetadata"/>, the embedder itself, or its <see cref="GlucoseTokenizer"/>,
    /// when asked for that type with no key; else null. The metadata gives the provider (<c>GLuCoSE</c>), the model id
    /// (<see cref="GlucoseEmbedderOptions.ModelId"/>, else the hub repository for <see cref="CreateAsync"/>, else the
    /// model folder's name), the dimensions, and as <see cref="EmbeddingGeneratorMetadata.ProviderUri"/> the file URI of
    /// the ONNX graph loaded.
    /// </summary>
    /// <param name="serviceType">The type wanted.</param>
    /// <param name="serviceKey">A key; this embedder serves no keyed services.</param>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is null.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        ThrowIfDisposed();
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata ??= new EmbeddingGeneratorMetadata(ProviderName, new Uri(_engine.ModelPath), ModelId, Dimensions);
        }

        if (serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return serviceType.IsInstanceOfType(Tokenizer) ? Tokenizer : null;
    }

    private string PromptFor(EmbeddingGenerationOptions? options)
    {
        if (options?.AdditionalProperties is { } properties)
        {
            if (StringProperty(properties, PromptProperty, nameof(options)) is string prompt)
            {
                Guard.ThrowIfUnpairedSurrogate(prompt, nameof(options));
                return prompt;
            }

            if (StringProperty(properties, PromptNameProperty, nameof(options)) is string promptName)
            {
                return PromptResolver.Resolve(_options.Prompts, _options.DefaultPromptName, promptName, nameof(options));
            }
        }

        return Prompt(null);
    }

    // A string property, also when the options came from JSON (a JsonElement string); null when absent or null.
    private static string? StringProperty(AdditionalPropertiesDictionary properties, string key, string parameterName)
    {
        if (!properties.TryGetValue(key, out object? value))
        {
            return null;
        }

        return value switch
        {
            null => null,
            string text => text,
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } element => element.GetString(),
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Null } => null,
            _ => throw new ArgumentException($"EmbeddingGenerationOptions.AdditionalProperties[\"{key}\"] must be a string; found {value.GetType().Name}.", parameterName),
        };
    }

    // The folder the user passed: the ONNX file's folder, or its parent for the Hugging Face onnx/ layout.
    private static string ModelFolderName(string modelPath)
    {
        string? folder = Path.GetDirectoryName(modelPath);
        if (folder is null)
        {
            return modelPath;
        }

        if (string.Equals(Path.GetFileName(folder), "onnx", StringComparison.Ordinal) && Path.GetDirectoryName(folder) is { } parent)
        {
            folder = parent;
        }

        return Path.GetFileName(folder);
    }
}
