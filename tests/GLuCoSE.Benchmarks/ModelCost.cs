using System.IO;
using System.Text.Json;

namespace GLuCoSE.Benchmarks;

/// <summary>FLOPs of one LUKE/BERT encoder pass, from the model's config.json.</summary>
internal sealed record ModelCost(int Hidden, int Layers, int Intermediate)
{
    public static ModelCost Load(string modelDirectory)
    {
        using JsonDocument config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(modelDirectory, "config.json")));
        JsonElement root = config.RootElement;
        return new ModelCost(root.GetProperty("hidden_size").GetInt32(), root.GetProperty("num_hidden_layers").GetInt32(), root.GetProperty("intermediate_size").GetInt32());
    }

    /// <summary>
    /// Multiply-add FLOPs (2 per MAC) of a [batch, sequence] pass: per token and layer, Q/K/V/O projections 8H²,
    /// the feed-forward 4HF, attention scores and weighted sum 4LH.
    /// </summary>
    /// <summary>Gets the bytes of fp32 weight matrices a run multiplies by (4H² + 2H·FFN per layer): what it streams from memory.</summary>
    public double WeightBytes => Layers * ((4.0 * Hidden * Hidden) + (2.0 * Hidden * Intermediate)) * sizeof(float);

    public double Flops(long batch, long sequence) =>
        (double)batch * sequence * Layers * ((8.0 * Hidden * Hidden) + (4.0 * Hidden * Intermediate) + (4.0 * sequence * Hidden));
}
