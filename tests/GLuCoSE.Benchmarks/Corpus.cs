using System;
using System.IO;
using System.Text.Json;

namespace GLuCoSE.Benchmarks;

internal static class Corpus
{
    /// <summary>Reads a JSON array of strings (e.g. jsts-valid-sentences.json), optionally the first <paramref name="limit"/>.</summary>
    public static string[] Load(string path, int? limit)
    {
        // JsonDocument, not JsonSerializer: no reflection, so a trimmed self-contained publish reads it too.
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"'{path}' is not a JSON array of strings.");
        }

        var all = new string[document.RootElement.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            all[i++] = item.GetString() ?? throw new InvalidDataException($"'{path}' is not a JSON array of strings.");
        }

        return limit is int n && n < all.Length ? all[..n] : all;
    }

    /// <summary>
    /// The corpus named by <c>--corpus</c>: the first <c>--sentences</c> texts, and with <c>--join N</c> every N
    /// consecutive texts joined into one (longer texts, made at run time: nothing derived from the corpus is stored).
    /// </summary>
    public static string[] FromArgs(Args args)
    {
        string[] texts = Load(args.Required("--corpus"), args.OptionalInt("--sentences"));
        int join = args.Int("--join", 1);
        if (join <= 1)
        {
            return texts;
        }

        var joined = new string[(texts.Length + join - 1) / join];
        for (int i = 0; i < joined.Length; i++)
        {
            joined[i] = string.Concat(texts.AsSpan(i * join, Math.Min(join, texts.Length - (i * join))));
        }

        return joined;
    }
}
