using System;

namespace GLuCoSE.Hub;

/// <summary>One file to download: where it goes in the model folder and where it comes from.</summary>
/// <param name="RelativePath">The path inside the model folder, with '/' separators.</param>
/// <param name="Url">The absolute URL.</param>
/// <param name="OnHub">Whether the URL is on the hub endpoint (only then is the hub token sent).</param>
internal sealed record RemoteFile(string RelativePath, Uri Url, bool OnHub);
