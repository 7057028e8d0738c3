namespace GLuCoSE.Server.Embedding;

/// <summary>The vectors of a request, in input order, with the tokens they took and the model that made them.</summary>
internal sealed record EmbeddingResult(float[][] Vectors, long Tokens, string ModelId);
