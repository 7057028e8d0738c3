using System.Globalization;
using GLuCoSE.Cli.IO;

namespace GLuCoSE.Cli.Commands;

/// <summary><c>glucose eval-jsts --data FILE</c>: Spearman and Pearson ×100 on a JSTS-format file (the model card's metric).</summary>
internal sealed class EvalStsCommand : ICommand
{
    public string Name => "eval-jsts";

    public string Summary => "score a JSTS-format file: Spearman and Pearson x100 of cosine vs gold";

    public string Help => $"""
        usage: glucose eval-jsts [--model DIR] --data FILE [options]

        Embeds both sentences of every pair, takes their cosine similarity, and prints its Spearman and Pearson
        correlation with the gold labels, x100 (the metric of the GLuCoSE model card; JGLUE's JSTS valid-v1.1.json
        is the usual file).

        options:
          --data FILE        JSON lines with "sentence1", "sentence2" and "label" (0-5)
          --quiet            no progress bar, nor download progress
        {ModelOptions.Help}
        """;

    public IReadOnlyDictionary<string, bool> Options { get; } = ModelOptions.With(("data", true), ("quiet", false));

    public async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string data = line.Required("data", "FILE");
        if (line.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{line.Positional[0]}'");
        }

        List<StsPair> pairs = StsPairFile.Read(data);

        // Each distinct sentence once (JSTS repeats sentences across pairs).
        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (StsPair pair in pairs)
        {
            distinct.TryAdd(pair.Sentence1, distinct.Count);
            distinct.TryAdd(pair.Sentence2, distinct.Count);
        }

        using GlucoseEmbedder embedder = await ModelOptions.OpenAsync(line, cancellationToken);
        float[][] embeddings = await embedder.EncodeAsync(
            distinct.Keys.ToArray(), ModelOptions.Prompt(line, GlucosePrompts.Query), new ConsoleProgress("embedding sentences", line.Has("quiet")), cancellationToken);

        var predicted = new double[pairs.Count];
        var gold = new double[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            predicted[i] = Similarity.Cosine(embeddings[distinct[pairs[i].Sentence1]], embeddings[distinct[pairs[i].Sentence2]]);
            gold[i] = pairs[i].Label;
        }

        double spearman = Correlation.Spearman(predicted, gold) * 100;
        double pearson = Correlation.Pearson(predicted, gold) * 100;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pairs scored: {pairs.Count} ({distinct.Count} distinct sentences)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Spearman x100: {spearman:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Pearson x100: {pearson:F2}"));
        if (double.IsNaN(spearman) || double.IsNaN(pearson))
        {
            Console.Error.WriteLine("glucose eval-jsts: a correlation is undefined (all gold labels, or all predictions, are equal).");
            return Cli.Failed;
        }

        return Cli.Ok;
    }
}
