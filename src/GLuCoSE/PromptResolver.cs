using System;
using System.Collections.Generic;

namespace GLuCoSE;

/// <summary>The one rule for prompts: which prefix a call puts before its texts, and the error for an unknown name.</summary>
internal static class PromptResolver
{
    /// <summary>
    /// Returns the prefix for <paramref name="promptName"/>, else for <paramref name="defaultPromptName"/>; empty when
    /// both are null.
    /// </summary>
    /// <exception cref="ArgumentException">The name that applies is not a key of <paramref name="prompts"/>.</exception>
    public static string Resolve(IDictionary<string, string> prompts, string? defaultPromptName, string? promptName, string parameterName)
    {
        string? name = promptName ?? defaultPromptName;
        if (name is null)
        {
            return string.Empty;
        }

        if (prompts.TryGetValue(name, out string? prefix) && prefix is not null)
        {
            Guard.ThrowIfUnpairedSurrogate(prefix, parameterName);
            return prefix;
        }

        string known = prompts.Count == 0 ? "none are set" : "the prompts are '" + string.Join("', '", prompts.Keys) + "'";
        string which = promptName is null ? $"DefaultPromptName '{name}'" : $"Prompt '{name}'";
        throw new ArgumentException(
            $"{which} is not one of GlucoseEmbedderOptions.Prompts ({known}). Add it to Prompts when creating the " +
            "embedder (GlucosePrompts.UseVersion2Prompts adds GLuCoSE v2's 'query' and 'passage'), or pass a name that is there.",
            parameterName);
    }
}
