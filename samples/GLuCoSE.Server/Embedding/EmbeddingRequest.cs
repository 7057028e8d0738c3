namespace GLuCoSE.Server.Embedding;

/// <summary>How one request wants its texts embedded, and the names its API gives the fields (for error messages).</summary>
/// <param name="Route">The route, for the metrics.</param>
/// <param name="InputParam">The field holding the texts: <c>input</c> (OpenAI) or <c>inputs</c> (TEI).</param>
/// <param name="PromptName">A prompt of <see cref="GlucoseEmbedderOptions.Prompts"/> (TEI's <c>prompt_name</c>); null for the default prompt.</param>
/// <param name="Truncate">Whether texts over the token limit are cut (else refused).</param>
/// <param name="Normalize">Whether vectors are scaled to unit length.</param>
internal sealed record EmbeddingRequest(string Route, string InputParam, string? PromptName, bool Truncate, bool Normalize);
