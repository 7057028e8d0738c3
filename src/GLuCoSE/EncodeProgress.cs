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

    /// <summary>Gets the texts in the call.</summary>
    public int Total { get; }

    /// <summary>Gets the share done, from 0 to 1 (1 for an empty call).</summary>
    public double Fraction => Total == 0 ? 1d : (double)Completed / Total;
}
