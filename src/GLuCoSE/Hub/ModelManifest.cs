using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GLuCoSE.Hub;

/// <summary>
/// <c>glucose-manifest.json</c> in a cached model folder: the size and SHA-256 of every file as it was downloaded,
/// checked on every load. It is replaced atomically (written beside, then renamed) after each file completes.
/// </summary>
internal sealed class ModelManifest
{
    public const string FileName = "glucose-manifest.json";

    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;

    /// <summary>Gets or sets <c>owner/name@revision</c>, for people who look into the folder.</summary>
    public string? Source { get; set; }

    public Dictionary<string, ManifestEntry> Files { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Reads the manifest of <paramref name="folder"/>: null when there is none.</summary>
    /// <exception cref="InvalidDataException">The manifest is there but cannot be read.</exception>
    public static ModelManifest? Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            ModelManifest? manifest = JsonSerializer.Deserialize(bytes, ManifestJsonContext.Default.ModelManifest);
            if (manifest is null || manifest.Format != CurrentFormat || manifest.Files is null)
            {
                throw new InvalidDataException($"The cache manifest '{path}' is not format {CurrentFormat}.");
            }

            return manifest;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The cache manifest '{path}' is damaged: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the manifest to a temporary file and renames it over the old one.</summary>
    public void Write(string folder)
    {
        string path = Path.Combine(folder, FileName);
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(this, ManifestJsonContext.Default.ModelManifest));
        File.Move(temporary, path, overwrite: true);
    }
}
