using System;
using System.IO;
using System.Text.Json;

namespace GLuCoSE.Benchmarks;

internal static class Corpus
{
    /// <summary>Reads a JSON array of strings (e.g. jsts-valid-sentences.json), optionally the first <paramref name="limit"/>.</summary>
    public static string[] Load(string path, int? limit)
    {
        string[] all = JsonSerializer.Deserialize<string[]>(File.ReadAllBytes(path))
            ?? throw new InvalidDataException($"'{path}' is not a JSON array of strings.");
        return limit is int n && n < all.Length ? all[..n] : all;
    }
}
