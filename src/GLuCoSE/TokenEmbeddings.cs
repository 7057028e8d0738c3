using System;

namespace GLuCoSE;

/// <summary>The per-token states of one text: the model's last hidden state for each of its tokens.</summary>
public sealed class TokenEmbeddings
{
    private readonly float[] _values;
    private readonly int[] _tokenIds;

    internal TokenEmbeddings(int[] tokenIds, int dimensions, float[] values)
    {
        _tokenIds = tokenIds;
        Dimensions = dimensions;
        _values = values;
    }

    private int Count => _tokenIds.Length;

    /// <summary>Gets the width of each token vector.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the token ids the states belong to, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included: one per token vector.</summary>
    public ReadOnlySpan<int> TokenIds => _tokenIds;

    /// <summary>Gets all token vectors, row-major: [<c>TokenIds.Length</c>, <see cref="Dimensions"/>].</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Gets the vector of token <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a token position.</exception>
    public ReadOnlySpan<float> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _values.AsSpan(index * Dimensions, Dimensions);
        }
    }
}
