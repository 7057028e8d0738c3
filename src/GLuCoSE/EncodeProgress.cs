using System;

namespace GLuCoSE;

/// <summary>How far an <see cref="GlucoseEmbedder.EncodeAsync(System.Collections.Generic.IReadOnlyList{string}, IProgress{EncodeProgress}?, System.Threading.CancellationToken)"/> call has got.</summary>
/// <param name="Completed">The texts embedded so far.</param>
/// <param name="Total">The texts in the call.</param>
public readonly record struct EncodeProgress(int Completed, int Total)
{
    /// <summary>Gets the share done, from 0 to 1 (1 for an empty call).</summary>
    public double Fraction => Total == 0 ? 1d : (double)Completed / Total;
}
