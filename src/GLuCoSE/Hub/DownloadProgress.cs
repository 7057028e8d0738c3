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

    /// <summary>Gets whether the file is complete (all of its bytes are on disk): <see cref="BytesDone"/> reached <see cref="TotalBytes"/>.</summary>
    internal bool IsComplete => TotalBytes is long total && BytesDone >= total;
}
