using System.Diagnostics.CodeAnalysis;

namespace GLuCoSE;

/// <summary>How an <see cref="EmbeddingIndex"/> stores its embeddings.</summary>
public enum EmbeddingQuantization
{
    /// <summary>32-bit floats (unit length): exact cosine scores, 4 bytes per dimension.</summary>
    None = 0,

    /// <summary>
    /// 8-bit integers with one scale per row (symmetric scalar quantization): about a quarter of the memory, scores
    /// within about 1% of the exact ones.
    /// </summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "int8 is the name of this quantization everywhere (sentence-transformers, ONNX Runtime).")]
    Int8 = 1,

    /// <summary>
    /// One sign bit per dimension, compared by Hamming distance: a 32nd of the memory. Recall depends strongly on the
    /// model (the number of dimensions, and how spread out its embeddings are); measure it on your data against
    /// <see cref="None"/> before relying on it. Rescoring recovers part of the loss.
    /// </summary>
    Binary = 2,
}
