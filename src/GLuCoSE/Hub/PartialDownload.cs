namespace GLuCoSE.Hub;

/// <summary>
/// <c>&lt;file&gt;.partial.json</c> beside an interrupted download: which URL the bytes came from and the validator
/// the server gave, so a resume asks for the rest of the same content (<c>If-Range</c>) or starts over.
/// </summary>
internal sealed class PartialDownload
{
    public string Url { get; set; } = string.Empty;

    /// <summary>Gets or sets the strong ETag of the first response, quoted, when it had one.</summary>
    public string? ETag { get; set; }

    /// <summary>Gets or sets the Last-Modified of the first response, RFC 1123, when it had one and no strong ETag.</summary>
    public string? LastModified { get; set; }

    /// <summary>Gets or sets a bucket's <c>x-goog-generation</c>, which changes whenever the object is replaced.</summary>
    public string? Generation { get; set; }
}
