using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using GLuCoSE.Search;

namespace GLuCoSE;

/// <summary>
/// An in-memory semantic search index: embeddings in one contiguous block of rows, searched by cosine similarity
/// (<see cref="TensorPrimitives"/> SIMD dot products over unit-length rows), with optional int8 or binary storage and
/// rescoring (<see cref="EmbeddingIndexOptions"/>).
/// </summary>
/// <remarks>
/// <para>Rows are numbered in the order they are added, from 0; keep your own list that maps a row to its text.</para>
/// <para>Searches are exhaustive (exact for float storage) and may run concurrently with each other, but not with
/// <see cref="Add(ReadOnlySpan{float})"/>: add everything first, or synchronize yourself.</para>
/// </remarks>
public sealed partial class EmbeddingIndex
{
    private readonly EmbeddingIndexOptions _options;
    private readonly int _words;
    private float[] _floats = [];
    private sbyte[] _codes = [];
    private float[] _scales = [];
    private ulong[] _bits = [];

    /// <summary>Creates an empty index for embeddings of <paramref name="dimensions"/> components.</summary>
    /// <param name="dimensions">The embedding length (<see cref="GlucoseEmbedder.Dimensions"/>).</param>
    /// <param name="options">Storage and rescoring; null for float storage.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is not positive, or an option is out of range.</exception>
    public EmbeddingIndex(int dimensions, EmbeddingIndexOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        _options = (options ?? new EmbeddingIndexOptions()).Clone();
        if (!Enum.IsDefined(_options.Quantization))
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.Quantization, "Quantization must be None, Int8 or Binary.");
        }

        if (_options.RescoreMultiplier < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.RescoreMultiplier, "RescoreMultiplier must be at least 1.");
        }

        Dimensions = dimensions;
        _words = (dimensions + 63) / 64;
    }

    /// <summary>Gets the embedding length the index takes.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Gets how rows are stored.</summary>
    public EmbeddingQuantization Quantization => _options.Quantization;

    /// <summary>Gets the bytes the rows take (without the spare capacity kept for growth).</summary>
    public long StorageBytes => Quantization switch
    {
        EmbeddingQuantization.Int8 => (long)Count * (Dimensions + sizeof(float)),
        EmbeddingQuantization.Binary => (long)Count * _words * sizeof(ulong),
        _ => (long)Count * Dimensions * sizeof(float),
    };

    /// <summary>Adds an embedding as the next row; it is stored at unit length (its length does not matter for cosine).</summary>
    /// <returns>The row index of the embedding.</returns>
    /// <exception cref="ArgumentException"><paramref name="embedding"/> does not have <see cref="Dimensions"/> components, or holds a NaN or infinite one.</exception>
    /// <exception cref="InvalidOperationException">The index holds as many rows as one array can (2.79 million of 768 dimensions, stored as floats or int8).</exception>
    public int Add(ReadOnlySpan<float> embedding)
    {
        CheckLength(embedding.Length, nameof(embedding));
        float[] unit = Normalized(embedding, nameof(embedding));
        int row = Count;
        EnsureCapacity(row + 1);
        switch (Quantization)
        {
            case EmbeddingQuantization.Int8:
                _scales[row] = QuantizeInt8(unit, _codes.AsSpan(row * Dimensions, Dimensions));
                break;
            case EmbeddingQuantization.Binary:
                PackSigns(unit, _bits.AsSpan(row * _words, _words));
                break;
            default:
                unit.CopyTo(_floats.AsSpan(row * Dimensions, Dimensions));
                break;
        }

        Count = row + 1;
        return row;
    }

    /// <summary>Adds embeddings as the next rows, in order; when one is rejected, none is added.</summary>
    /// <returns>The row index of the first one.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embeddings"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">An embedding does not have <see cref="Dimensions"/> components, or holds a NaN or infinite one.</exception>
    /// <exception cref="InvalidOperationException">The index has no room for them all (see <see cref="Add"/>).</exception>
    public int AddRange(IEnumerable<float[]> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);

        // All checked before any is added, so that the rows stay in step with the caller's list of texts.
        var checkedRows = new List<float[]>(embeddings is IReadOnlyCollection<float[]> known ? known.Count : 0);
        foreach (float[] embedding in embeddings)
        {
            if (embedding is null)
            {
                throw new ArgumentNullException(nameof(embeddings), $"embeddings[{checkedRows.Count}] is null.");
            }

            CheckLength(embedding.Length, nameof(embeddings));
            LargestMagnitude(embedding, nameof(embeddings));
            checkedRows.Add(embedding);
        }

        int first = Count;
        EnsureCapacity((int)Math.Min((long)first + checkedRows.Count, int.MaxValue));
        foreach (float[] embedding in checkedRows)
        {
            Add(embedding);
        }

        return first;
    }

    /// <summary>Finds the <paramref name="top"/> rows most similar to <paramref name="query"/>.</summary>
    /// <param name="query">A query embedding (any length scale; <see cref="Dimensions"/> components).</param>
    /// <param name="top">How many hits to return at most.</param>
    /// <returns>The hits, best first (equal scores by row).</returns>
    /// <exception cref="ArgumentException"><paramref name="query"/> does not have <see cref="Dimensions"/> components, or holds a NaN or infinite one.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is negative.</exception>
    public SearchHit[] Search(ReadOnlySpan<float> query, int top = 10)
    {
        CheckLength(query.Length, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        return SearchCore(Normalized(query, nameof(query)), Math.Min(top, Count));
    }

    /// <summary>Finds the <paramref name="top"/> rows most similar to each query, the queries in parallel.</summary>
    /// <param name="queries">Query embeddings.</param>
    /// <param name="top">How many hits to return per query at most.</param>
    /// <returns>For each query, in order, its hits, best first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">A query does not have <see cref="Dimensions"/> components, or holds a NaN or infinite one.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is negative.</exception>
    public SearchHit[][] Search(IReadOnlyList<float[]> queries, int top = 10)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        var units = new float[queries.Count][];
        for (int q = 0; q < units.Length; q++)
        {
            float[] query = queries[q] ?? throw new ArgumentNullException(nameof(queries), $"queries[{q}] is null.");
            CheckLength(query.Length, nameof(queries));
            units[q] = Normalized(query, nameof(queries));
        }

        int k = Math.Min(top, Count);
        var results = new SearchHit[units.Length][];
        Parallel.For(0, units.Length, q => results[q] = SearchCore(units[q], k));
        return results;
    }

    private SearchHit[] SearchCore(float[] query, int top)
    {
        if (Quantization == EmbeddingQuantization.None)
        {
            var best = new TopK(top);
            for (int row = 0; row < Count; row++)
            {
                best.Offer(row, TensorPrimitives.Dot(query, _floats.AsSpan(row * Dimensions, Dimensions)));
            }

            return best.ToSortedArray();
        }

        return SearchQuantized(query, top);
    }

    private void CheckLength(int length, string name)
    {
        if (length != Dimensions)
        {
            throw new ArgumentException(
                $"The embedding has {length} components; this index holds {Dimensions}-dimensional embeddings. Use embeddings from the model the index was built with.",
                name);
        }
    }

    // Unit length, whatever the scale: divided by its largest magnitude first, so that neither a huge vector's norm
    // overflows nor a tiny one's underflows. A NaN or infinite component has no direction: rejected.
    private static float[] Normalized(ReadOnlySpan<float> vector, string name)
    {
        float largest = LargestMagnitude(vector, name);
        var unit = vector.ToArray();
        if (largest != 0)
        {
            TensorPrimitives.Divide(unit, MathF.Abs(largest), unit);
            TensorPrimitives.Divide(unit, TensorPrimitives.Norm(unit), unit);
        }

        return unit;
    }

    private static float LargestMagnitude(ReadOnlySpan<float> vector, string name)
    {
        float largest = vector.IsEmpty ? 0 : TensorPrimitives.MaxMagnitude(vector);
        if (!float.IsFinite(largest))
        {
            throw new ArgumentException($"The embedding holds a NaN or infinite component (at {IndexOfNonFinite(vector)}).", name);
        }

        return largest;
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> vector)
    {
        int i = 0;
        while (i < vector.Length && float.IsFinite(vector[i]))
        {
            i++;
        }

        return i;
    }

    private void EnsureCapacity(int rows)
    {
        int capacity = Quantization switch
        {
            EmbeddingQuantization.Int8 => _scales.Length,
            EmbeddingQuantization.Binary => _bits.Length / _words,
            _ => _floats.Length / Dimensions,
        };
        if (rows <= capacity)
        {
            return;
        }

        // One array holds all rows: at most Array.MaxLength elements (2.79 million rows of 768 floats or int8 codes).
        long maxRows = Array.MaxLength / (Quantization == EmbeddingQuantization.Binary ? _words : Dimensions);
        if (rows > maxRows)
        {
            throw new InvalidOperationException(
                $"The index is full: {Quantization} storage of {Dimensions}-dimensional embeddings holds at most {maxRows:N0} rows. " +
                "Split the embeddings over several indexes, or store them as Binary (32 times smaller per row).");
        }

        int grown = (int)Math.Min(maxRows, Math.Max(rows, Math.Max(16L, capacity * 2L)));
        switch (Quantization)
        {
            case EmbeddingQuantization.Int8:
                Array.Resize(ref _codes, grown * Dimensions);
                Array.Resize(ref _scales, grown);
                break;
            case EmbeddingQuantization.Binary:
                Array.Resize(ref _bits, grown * _words);
                break;
            default:
                Array.Resize(ref _floats, grown * Dimensions);
                break;
        }
    }
}
