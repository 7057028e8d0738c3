using System.Globalization;
using GLuCoSE.Cli.IO;

namespace GLuCoSE.Cli.Commands;

/// <summary><c>glucose search --corpus FILE --query TEXT [--top K]</c>: the corpus texts closest to each query.</summary>
internal sealed class SearchCommand : ICommand
{
    public string Name => "search";

    public string Summary => "find the texts of a corpus file closest to a query";

    public string Help => $"""
        usage: glucose search [--model DIR] --corpus FILE --query TEXT [--query TEXT...] [--top K] [options]

        Embeds every text of the corpus (a progress bar on stderr), then prints, for each query, a table of the
        closest texts with their cosine similarity.

        options:
          --corpus FILE      the texts to search: one per line, or .jsonl / .json (strings or objects with "text")
          --query TEXT       a query (repeat for several)
          --top K            hits per query (default 5)
          --quantization Q   none (default), int8 or binary: how the index stores embeddings
          --quiet            no progress bar, nor download progress
        {ModelOptions.Help}
        """;

    public IReadOnlyDictionary<string, bool> Options { get; } =
        ModelOptions.With(("corpus", true), ("query", true), ("top", true), ("quantization", true), ("quiet", false));

    public async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string corpusPath = line.Required("corpus", "FILE");
        IReadOnlyList<string> queries = line.Values("query");
        if (queries.Count == 0)
        {
            throw new UsageException("--query TEXT is required");
        }

        int top = line.Int("top", 5, 1);
        EmbeddingQuantization quantization = line.Value("quantization") switch
        {
            null or "none" => EmbeddingQuantization.None,
            "int8" => EmbeddingQuantization.Int8,
            "binary" => EmbeddingQuantization.Binary,
            string other => throw new UsageException($"--quantization must be none, int8 or binary; got '{other}'"),
        };
        if (line.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{line.Positional[0]}' (quote a query and pass it with --query)");
        }

        List<string> corpus = TextFiles.Read(corpusPath).ToList();
        if (corpus.Count == 0)
        {
            throw new InvalidDataException($"'{corpusPath}' holds no texts.");
        }

        using GlucoseEmbedder embedder = await ModelOptions.OpenAsync(line, cancellationToken);
        float[][] embeddings = await embedder.EncodeAsync(
            corpus, ModelOptions.Prompt(line, GlucosePrompts.Passage), new ConsoleProgress("embedding corpus", line.Has("quiet")), cancellationToken);
        var index = new EmbeddingIndex(embedder.Dimensions, new EmbeddingIndexOptions { Quantization = quantization });
        index.AddRange(embeddings);

        float[][] queryEmbeddings = await embedder.EncodeAsync(queries, ModelOptions.Prompt(line, GlucosePrompts.Query), cancellationToken: cancellationToken);
        SearchHit[][] results = index.Search(queryEmbeddings, top);
        for (int q = 0; q < queries.Count; q++)
        {
            Console.WriteLine();
            Console.WriteLine($"query: {queries[q]}");
            Console.WriteLine($"{"rank",4}  {"score",7}  {"line",6}  text");
            for (int r = 0; r < results[q].Length; r++)
            {
                SearchHit hit = results[q][r];
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{r + 1,4}  {hit.Score,7:F4}  {hit.Index + 1,6}  {TextTable.Fit(corpus[hit.Index], 70).TrimEnd()}"));
            }
        }

        return Cli.Ok;
    }
}
