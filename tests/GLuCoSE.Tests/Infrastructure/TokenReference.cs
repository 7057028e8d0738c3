using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>One row of a <c>tokens.&lt;model&gt;.json</c> reference file.</summary>
public sealed record TokenRow(string Category, int Index, string Text, int[] Ids, int[] IdsMax512, int[] IdsMax128)
{
    public override string ToString() => $"{Category}[{Index}]";
}

/// <summary>Loads token reference files produced by the Python stack (transformers 4.x MLuke rules).</summary>
internal static class TokenReference
{
    public static IReadOnlyList<TokenRow> Load(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        var rows = new List<TokenRow>();
        foreach (JsonElement row in document.RootElement.GetProperty("rows").EnumerateArray())
        {
            rows.Add(new TokenRow(
                row.GetProperty("category").GetString()!,
                row.GetProperty("index").GetInt32(),
                row.GetProperty("text").GetString()!,
                Ints(row.GetProperty("ids")),
                Ints(row.GetProperty("ids_max512")),
                Ints(row.GetProperty("ids_max128"))));
        }

        return rows;
    }

    public static int[] Ints(JsonElement array)
    {
        var values = new int[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement value in array.EnumerateArray())
        {
            values[i++] = value.GetInt32();
        }

        return values;
    }
}
