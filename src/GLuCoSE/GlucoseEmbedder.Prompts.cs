using System;
using System.Collections.Generic;

namespace GLuCoSE;

public sealed partial class GlucoseEmbedder
{
    /// <summary>Computes the embedding of one text with a prompt put before it.</summary>
    /// <param name="text">The text.</param>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>
    /// (no prompt when that is null too).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="promptName"/> is not one of the prompts.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[] Encode(string text, string? promptName)
    {
        ArgumentNullException.ThrowIfNull(text);
        GlucoseTokenizer.ThrowIfUnpairedSurrogate(text, nameof(text));
        ThrowIfDisposed();
        return EncodeSingle(text, GetPrompt(promptName));
    }

    /// <summary>Computes the embeddings of many texts with a prompt put before each; the results are in input order.</summary>
    /// <remarks>
    /// Every member applies a prompt, as sentence-transformers' <c>encode(..., prompt_name=...)</c> does: the one named,
    /// else <see cref="GlucoseEmbedderOptions.DefaultPromptName"/> (so overloads without a prompt name use the default).
    /// </remarks>
    /// <param name="texts">The texts.</param>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>
    /// (no prompt when that is null too).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element of <paramref name="texts"/> is null, or <paramref name="promptName"/> is not one of the prompts.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[][] Encode(IReadOnlyList<string> texts, string? promptName)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ThrowIfDisposed();
        return EncodeEmbeddings(texts, GetPrompt(promptName));
    }

    /// <summary>Returns the prefix a call with <paramref name="promptName"/> puts before each text.</summary>
    /// <param name="promptName">
    /// A key of <see cref="GlucoseEmbedderOptions.Prompts"/>; null for <see cref="GlucoseEmbedderOptions.DefaultPromptName"/>.
    /// </param>
    /// <returns>The prefix; empty when no prompt applies.</returns>
    /// <exception cref="ArgumentException"><paramref name="promptName"/> (or the default prompt name) is not one of the prompts.</exception>
    public string GetPrompt(string? promptName)
    {
        ThrowIfDisposed();
        string? name = promptName ?? _options.DefaultPromptName;
        if (name is null)
        {
            return string.Empty;
        }

        if (_options.Prompts.TryGetValue(name, out string? prefix) && prefix is not null)
        {
            return prefix;
        }

        string known = _options.Prompts.Count == 0 ? "none are set" : "the prompts are '" + string.Join("', '", _options.Prompts.Keys) + "'";
        string which = promptName is null ? $"DefaultPromptName '{name}'" : $"Prompt '{name}'";
        throw new ArgumentException(
            $"{which} is not one of GlucoseEmbedderOptions.Prompts ({known}). Add it to Prompts when creating the " +
            "embedder (GlucosePrompts.UseVersion2Prompts adds GLuCoSE v2's 'query' and 'passage'), or pass a name that is there.",
            nameof(promptName));
    }
}
