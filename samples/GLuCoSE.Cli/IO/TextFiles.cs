using System.Text.Json;

namespace GLuCoSE.Cli.IO;

/// <summary>
/// Reads the texts of a corpus file: <c>.json</c> (an array of strings, or of objects with a <c>"text"</c>),
/// <c>.jsonl</c> (one JSON string or object with <c>"text"</c> per line), or anything else as plain text, one text per
/// non-empty line.
/// </summary>
internal static class TextFiles
{
    public static IEnumerable<string> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' not found; expected a text file (one text per line), .jsonl or .json.", path);
        }

        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".json" => ReadJsonArray(path),
            ".jsonl" => ReadJsonLines(path),
            _ => ReadLines(path),
        };
    }

    /// <summary>Counts the texts <see cref="Read"/> yields, without holding them.</summary>
    public static int Count(string path)
    {
        int count = 0;
        foreach (string _ in Read(path))
        {
            count++;
        }

        return count;
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }

    private static IEnumerable<string> ReadJsonLines(string path)
    {
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            yield return TextOf(document.RootElement, $"{path}:{number}");
        }
    }

    private static List<string> ReadJsonArray(string path)
    {
        using FileStream stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"'{path}' must hold a JSON array of strings (or of objects with \"text\"); it holds a {document.RootElement.ValueKind}.");
        }

        var texts = new List<string>();
        int index = 0;
        foreach (JsonElement element in document.RootElement.EnumerateArray())
        {
            texts.Add(TextOf(element, $"{path}[{index++}]"));
        }

        return texts;
    }

    private static string TextOf(JsonElement element, string where) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Object when element.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String => text.GetString()!,
        _ => throw new InvalidDataException($"{where}: expected a string or an object with a \"text\" string; found {element.ValueKind}."),
    };
}
