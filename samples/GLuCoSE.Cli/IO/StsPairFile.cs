using System.Text.Json;

namespace GLuCoSE.Cli.IO;

/// <summary>One scored pair of a JSTS-format file.</summary>
internal readonly record struct StsPair(string Sentence1, string Sentence2, double Label);

/// <summary>
/// Reads JGLUE's JSTS format: JSON lines with <c>sentence1</c>, <c>sentence2</c> and <c>label</c> (similarity 0–5;
/// a number or a numeric string), as in <c>valid-v1.1.json</c>; other fields (<c>sentence_pair_id</c>, ...) are ignored.
/// </summary>
internal static class StsPairFile
{
    public static List<StsPair> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' not found; expected a JSTS-format file (JSON lines with sentence1, sentence2, label).", path);
        }

        var pairs = new List<StsPair>();
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonElement row;
            try
            {
                using var document = JsonDocument.Parse(line);
                row = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{number}: not a JSON line ({ex.Message}).", ex);
            }

            pairs.Add(new StsPair(Text(row, "sentence1", path, number), Text(row, "sentence2", path, number), Label(row, path, number)));
        }

        if (pairs.Count < 2)
        {
            throw new InvalidDataException($"'{path}' has {pairs.Count} scored pairs; correlations need at least 2.");
        }

        return pairs;
    }

    private static string Text(JsonElement row, string name, string path, int number) =>
        row.ValueKind == JsonValueKind.Object && row.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"{path}:{number}: missing the string field \"{name}\" (expected sentence1, sentence2 and label).");

    private static double Label(JsonElement row, string path, int number)
    {
        if (row.TryGetProperty("label", out JsonElement label))
        {
            if (label.ValueKind == JsonValueKind.Number)
            {
                return label.GetDouble();
            }

            if (label.ValueKind == JsonValueKind.String
                && double.TryParse(label.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double parsed))
            {
                return parsed;
            }
        }

        throw new InvalidDataException($"{path}:{number}: missing the numeric field \"label\" (the gold similarity, 0 to 5).");
    }
}
