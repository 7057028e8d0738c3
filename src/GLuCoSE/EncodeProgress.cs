namespace GLuCoSE;

/// <summary>How far an <see cref="GlucoseEmbedder.EncodeAsync"/> call has got.</summary>
public readonly struct EncodeProgress
{
    internal EncodeProgress(int completed, int total)
    {
        Completed = completed;
        Total = total;
    }

    /// <summary>Gets the texts embedded so far.</summary>
    public int Completed { get; }

    /// <summary>Gets the texts in the call (<see cref="Completed"/> reaches it at the end; both are 0 for an empty call).</summary>
    public int Total { get; }

}
