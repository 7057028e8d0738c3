using System.CommandLine;
using System.Globalization;
using GLuCoSE.Cli.IO;

namespace GLuCoSE.Cli.Commands;

/// <summary><c>glucose search --corpus FILE --query TEXT [--top K]</c>: the corpus texts closest to each query.</summary>
internal sealed class SearchCommand : GlucoseCommand
{
    private readonly Option<string> _corpus = CliOption.Text(
        "--corpus", "FILE", "the texts to search: one per line, or .jsonl / .json (strings or objects with \"text\")");

    private readonly Option<string[]> _queries = CliOption.Repeated("--query", "TEXT", "a query (repeat for several)");
    private readonly Option<int> _top = CliOption.WholeNumber("--top", "K", "hits per query", min: 1, defaultValue: 5);
    private readonly Option<string> _quantization = CliOption.Text("--quantization", "none|int8|binary", "how the index stores embeddings");

    private readonly Option<bool> _quiet = CliOption.Flag("--quiet", "no progress bar, nor download progress");
    private readonly ModelOptions _model = new();

    public SearchCommand()
        : base("search", "Find the texts of a corpus file closest to a query.")
    {
        _corpus.Required = true;
        _queries.Required = true;
        _quantization.DefaultValueFactory = _ => "none";
        _quantization.AcceptOnlyFromAmong("none", "int8", "binary");
        Options.Add(_corpus);
        Options.Add(_queries);
        Options.Add(_top);
        Options.Add(_quantization);
        Options.Add(_quiet);
        _model.AddTo(this);
    }

    public override string HelpNotes =>
        "Embeds every text of the corpus (a progress bar on stderr), then prints, for each query, a table of the closest texts with their cosine similarity.";

    protected override async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        string corpusPath = parseResult.GetRequiredValue(_corpus);
        string[] queries = parseResult.GetRequiredValue(_queries);
        int top = parseResult.GetValue(_top);
        EmbeddingQuantization quantization = parseResult.GetValue(_quantization) switch
        {
            "int8" => EmbeddingQuantization.Int8,
            "binary" => EmbeddingQuantization.Binary,
            _ => EmbeddingQuantization.None,
        };
        bool quiet = parseResult.GetValue(_quiet);
        TextWriter output = parseResult.InvocationConfiguration.Output;

        List<string> corpus = TextFiles.Read(corpusPath).ToList();
        if (corpus.Count == 0)
        {
            throw new InvalidDataException($"'{corpusPath}' holds no texts.");
        }

        using GlucoseEmbedder embedder = await _model.OpenAsync(parseResult, quiet, cancellationToken);
        float[][] embeddings = await embedder.EncodeAsync(
            corpus, _model.Prompt(parseResult, GlucosePrompts.Passage), new ConsoleProgress("embedding corpus", quiet), cancellationToken);
        var index = new EmbeddingIndex(embedder.Dimensions, new EmbeddingIndexOptions { Quantization = quantization });
        index.AddRange(embeddings);

        float[][] queryEmbeddings = await embedder.EncodeAsync(queries, _model.Prompt(parseResult, GlucosePrompts.Query), cancellationToken: cancellationToken);
        SearchHit[][] results = index.Search(queryEmbeddings, top);
        for (int q = 0; q < queries.Length; q++)
        {
            output.WriteLine();
            output.WriteLine($"query: {queries[q]}");
            output.WriteLine($"{"rank",4}  {"score",7}  {"line",6}  text");
            for (int r = 0; r < results[q].Length; r++)
            {
                SearchHit hit = results[q][r];
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{r + 1,4}  {hit.Score,7:F4}  {hit.Index + 1,6}  {TextTable.Fit(corpus[hit.Index], 70).TrimEnd()}"));
            }
        }

        return Cli.Ok;
    }
}
