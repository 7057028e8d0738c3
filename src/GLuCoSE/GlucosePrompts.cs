using System;

namespace GLuCoSE;

/// <summary>The prompt names and prefixes of the GLuCoSE models, for <see cref="GlucoseEmbedderOptions.Prompts"/>.</summary>
/// <remarks>
/// GLuCoSE-base-ja embeds plain text and needs no prompt. GLuCoSE-base-ja-v2 was trained with <c>"query: "</c> before
/// search queries and <c>"passage: "</c> before the texts searched; <see cref="UseVersion2Prompts"/> sets them up.
/// </remarks>
public static class GlucosePrompts
{
    /// <summary>The name of the prompt for search queries.</summary>
    public const string Query = "query";

    /// <summary>The name of the prompt for the texts searched (documents, passages).</summary>
    public const string Passage = "passage";

    // GLuCoSE-base-ja-v2's prefixes.
    private const string QueryPrefix = "query: ";
    private const string PassagePrefix = "passage: ";

    /// <summary>
    /// Adds GLuCoSE-base-ja-v2's prompts to <paramref name="options"/>: <see cref="Query"/> → <c>"query: "</c> and
    /// <see cref="Passage"/> → <c>"passage: "</c>. The default prompt is left as it is.
    /// </summary>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static GlucoseEmbedderOptions UseVersion2Prompts(GlucoseEmbedderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Prompts[Query] = QueryPrefix;
        options.Prompts[Passage] = PassagePrefix;
        return options;
    }
}
