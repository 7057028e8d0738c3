using System;

namespace GLuCoSE.Hub;

/// <summary>One downloaded file in <see cref="ModelManifest"/>.</summary>
internal sealed class ManifestEntry
{
    public long Size { get; set; }

    /// <summary>Gets or sets the SHA-256 of the file, lower-case hexadecimal.</summary>
    public string Sha256 { get; set; } = string.Empty;

    /// <summary>Gets or sets the URL it came from (never with credentials).</summary>
    public string? Url { get; set; }

    /// <summary>Gets or sets when the file was downloaded, or made (for a converted graph).</summary>
    public DateTimeOffset Downloaded { get; set; }

    /// <summary>Gets or sets, for a file made here rather than downloaded, the file it was made from (<c>model.onnx</c>).</summary>
    public string? MadeFrom { get; set; }

    /// <summary>Gets or sets the SHA-256 of <see cref="MadeFrom"/> when this file was made from it.</summary>
    public string? MadeFromSha256 { get; set; }
}
