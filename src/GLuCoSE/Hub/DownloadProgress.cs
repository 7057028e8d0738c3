namespace GLuCoSE;

/// <summary>How far the download of one file of a model has come.</summary>
/// <remarks>
/// Reported through <see cref="System.IProgress{T}"/> by <see cref="GlucoseModelSource.DownloadAsync"/> and
/// <see cref="GlucoseEmbedder.CreateAsync"/>: once when a file starts (with the bytes already there from an earlier,
/// interrupted download), then as bytes arrive, and once when the file is complete. Instances are immutable.
/// </remarks>
public sealed class DownloadProgress
{
    /// <summary>Initializes a new instance of the <see cref="DownloadProgress"/> class.</summary>
    /// <param name="fileName">The file's path inside the model folder, with '/' separators.</param>
    /// <param name="bytesDone">The bytes of the file on disk so far.</param>
    /// <param name="totalBytes">The file's full size, or null when the server does not say.</param>
    internal DownloadProgress(string fileName, long bytesDone, long? totalBytes)
    {
        FileName = fileName;
        BytesDone = bytesDone;
        TotalBytes = totalBytes;
    }

    /// <summary>Gets the file's path inside the model folder, with '/' separators (for example <c>model.onnx</c>).</summary>
    public string FileName { get; }

    /// <summary>Gets the bytes of the file on disk so far, resumed bytes included.</summary>
    public long BytesDone { get; }

    /// <summary>Gets the file's full size in bytes, or null when the server did not send it.</summary>
    public long? TotalBytes { get; }

    /// <summary>Gets a value indicating whether the file is complete (all of its bytes are on disk).</summary>
    public bool IsComplete => TotalBytes is long total && BytesDone >= total;

    /// <summary>Returns the progress as text, such as <c>model.onnx 12.0/442.6 MB</c>.</summary>
    /// <returns>The file name and the megabytes done and in all.</returns>
    public override string ToString() =>
        TotalBytes is long total
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{FileName} {BytesDone / 1e6:F1}/{total / 1e6:F1} MB")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{FileName} {BytesDone / 1e6:F1} MB");
}
