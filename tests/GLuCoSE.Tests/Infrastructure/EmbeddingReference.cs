using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>One row of <c>embeddings.tiny-luke.json</c>: PyTorch LukeModel + sentence-transformers mean pooling.</summary>
public sealed record EmbeddingRow(string Category, int Index, string Text, int[] IdsMax512, float[] Embedding, float[] EmbeddingNormalized, float[]? EmbeddingMax128)
{
    public override string ToString() => $"{Category}[{Index}]";
}

internal sealed class EmbeddingReference
{
    public required IReadOnlyList<EmbeddingRow> Rows { get; init; }

    public required int Dimensions { get; init; }

    /// <summary>Per-token states of the first rows, by row number.</summary>
    public required IReadOnlyDictionary<int, float[][]> TokenEmbeddings { get; init; }

    private static readonly System.Lazy<EmbeddingReference> Tiny = new(() => Load(TestPaths.TestData("embeddings.tiny-luke.json")));

    /// <summary>Gets <c>embeddings.tiny-luke.json</c>, read once.</summary>
    public static EmbeddingReference TinyLuke => Tiny.Value;

    public static EmbeddingReference Load(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = document.RootElement;
        var rows = new List<EmbeddingRow>();
        foreach (JsonElement row in root.GetProperty("rows").EnumerateArray())
        {
            rows.Add(new EmbeddingRow(
                row.GetProperty("category").GetString()!,
                row.GetProperty("index").GetInt32(),
                row.GetProperty("text").GetString()!,
                TokenReference.Ints(row.GetProperty("ids_max512")),
                Floats(row.GetProperty("embedding")),
                Floats(row.GetProperty("embedding_normalized")),
                row.TryGetProperty("embedding_max128", out JsonElement max128) ? Floats(max128) : null));
        }

        var tokens = new Dictionary<int, float[][]>();
        if (root.TryGetProperty("token_embeddings_first3", out JsonElement first))
        {
            foreach (JsonProperty entry in first.EnumerateObject())
            {
                var states = new List<float[]>();
                foreach (JsonElement state in entry.Value.EnumerateArray())
                {
                    states.Add(Floats(state));
                }

                tokens[int.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture)] = states.ToArray();
            }
        }

        return new EmbeddingReference { Rows = rows, Dimensions = root.GetProperty("dimensions").GetInt32(), TokenEmbeddings = tokens };
    }

    private static float[] Floats(JsonElement array)
    {
        var values = new float[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement value in array.EnumerateArray())
        {
            values[i++] = value.GetSingle();
        }

        return values;
    }
}
