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

    public DateTimeOffset Downloaded { get; set; }
}
