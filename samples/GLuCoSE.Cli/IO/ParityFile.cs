using System.Text.Json;

namespace GLuCoSE.Cli.IO;

/// <summary>One sentence of a <c>parity.json</c>: its text, the Python stack's token ids and fp32 embedding.</summary>
internal sealed record ParitySentence(string Text, int[] Ids, float[] Embedding);

/// <summary>A <c>parity.json</c>: what sentence-transformers gives a few sentences, to compare the C# pipeline with.</summary>
/// <param name="MaxSequenceLength">The truncation length the ids were made with (the model's <c>max_seq_length</c>).</param>
/// <param name="Sentences">The sentences, at least one.</param>
internal sealed record ParityFile(int MaxSequenceLength, IReadOnlyList<ParitySentence> Sentences)
{
    /// <summary>
    /// Reads the file <c>models/export_onnx.py</c> writes beside the graph: <c>max_seq_length</c> and
    /// <c>sentences</c>, each with <c>text</c>, <c>ids</c> and <c>embedding</c> (mean pooling, not normalized); other
    /// fields (model, revision, versions) are ignored.
    /// </summary>
    public static ParityFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' not found; expected the parity.json that models/export_onnx.py writes beside model.onnx (or pass --file).", path);
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not JSON ({ex.Message}).", ex);
        }

        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("max_seq_length", out JsonElement max) || !max.TryGetInt32(out int maxSequenceLength) || maxSequenceLength < 2)
        {
            throw new InvalidDataException($"'{path}' has no \"max_seq_length\" (a whole number of at least 2); expected a parity.json from models/export_onnx.py.");
        }

        if (!root.TryGetProperty("sentences", out JsonElement rows) || rows.ValueKind != JsonValueKind.Array || rows.GetArrayLength() == 0)
        {
            throw new InvalidDataException($"'{path}' has no \"sentences\" (a non-empty array); expected a parity.json from models/export_onnx.py.");
        }

        var sentences = new List<ParitySentence>(rows.GetArrayLength());
        foreach (JsonElement row in rows.EnumerateArray())
        {
            string where = $"'{path}', sentence {sentences.Count + 1}";
            if (row.ValueKind != JsonValueKind.Object || !row.TryGetProperty("text", out JsonElement text) || text.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"{where}: missing the string field \"text\" (expected text, ids and embedding).");
            }

            int[] ids = Array(row, "ids", where, (JsonElement e, out int v) => e.TryGetInt32(out v));
            float[] embedding = Array(row, "embedding", where, (JsonElement e, out float v) => e.TryGetSingle(out v));
            sentences.Add(new ParitySentence(text.GetString()!, ids, embedding));
        }

        return new ParityFile(maxSequenceLength, sentences);
    }

    private delegate bool TryGet<T>(JsonElement element, out T value);

    private static T[] Array<T>(JsonElement row, string name, string where, TryGet<T> tryGet)
    {
        if (!row.TryGetProperty(name, out JsonElement array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            throw new InvalidDataException($"{where}: missing the field \"{name}\" (a non-empty array of numbers).");
        }

        var values = new T[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement element in array.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Number || !tryGet(element, out values[i]))
            {
                throw new InvalidDataException($"{where}: \"{name}\"[{i}] is {element.GetRawText()}; expected a number.");
            }

            i++;
        }

        return values;
    }
}
