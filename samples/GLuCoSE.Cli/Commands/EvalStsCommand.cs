using System.CommandLine;
using System.Globalization;
using GLuCoSE.Cli.IO;

namespace GLuCoSE.Cli.Commands;

/// <summary><c>glucose eval-jsts --data FILE</c>: Spearman and Pearson ×100 on a JSTS-format file (the model card's metric).</summary>
internal sealed class EvalStsCommand : GlucoseCommand
{
    private readonly Option<string> _data = CliOption.Text("--data", "FILE", "JSON lines with \"sentence1\", \"sentence2\" and \"label\" (0-5)");
    private readonly Option<bool> _quiet = CliOption.Flag("--quiet", "no progress bar, nor download progress");
    private readonly ModelOptions _model = new();

    public EvalStsCommand()
        : base("eval-jsts", "Score a JSTS-format file: Spearman and Pearson x100 of cosine vs gold.")
    {
        _data.Required = true;
        Options.Add(_data);
        Options.Add(_quiet);
        _model.AddTo(this);
    }

    public override string HelpNotes => """
        Embeds both sentences of every pair (each distinct sentence once), takes their cosine similarity, and prints
        its Spearman and Pearson correlation with the gold labels, x100 (the metric of the GLuCoSE model card; JGLUE's
        JSTS valid-v1.1.json is the usual file). Exits 1 when a correlation is undefined.
        """;

    protected override async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        string data = parseResult.GetRequiredValue(_data);
        bool quiet = parseResult.GetValue(_quiet);
        TextWriter output = parseResult.InvocationConfiguration.Output;
        List<StsPair> pairs = StsPairFile.Read(data);

        // Each distinct sentence once (JSTS repeats sentences across pairs).
        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (StsPair pair in pairs)
        {
            distinct.TryAdd(pair.Sentence1, distinct.Count);
            distinct.TryAdd(pair.Sentence2, distinct.Count);
        }

        using GlucoseEmbedder embedder = await _model.OpenAsync(parseResult, quiet, cancellationToken);
        float[][] embeddings = await embedder.EncodeAsync(
            distinct.Keys.ToArray(), _model.Prompt(parseResult, GlucosePrompts.Query), new ConsoleProgress("embedding sentences", quiet), cancellationToken);

        var predicted = new double[pairs.Count];
        var gold = new double[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            predicted[i] = Similarity.Cosine(embeddings[distinct[pairs[i].Sentence1]], embeddings[distinct[pairs[i].Sentence2]]);
            gold[i] = pairs[i].Label;
        }

        double spearman = Correlation.Spearman(predicted, gold) * 100;
        double pearson = Correlation.Pearson(predicted, gold) * 100;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pairs scored: {pairs.Count} ({distinct.Count} distinct sentences)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Spearman x100: {spearman:F2}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Pearson x100: {pearson:F2}"));
        if (double.IsNaN(spearman) || double.IsNaN(pearson))
        {
            parseResult.InvocationConfiguration.Error.WriteLine("glucose eval-jsts: a correlation is undefined (all gold labels, or all predictions, are equal).");
            return Cli.Failed;
        }

        return Cli.Ok;
    }
}
