using System.Globalization;
using System.Text;

namespace GLuCoSE.Cli.Commands;

/// <summary><c>glucose similarity TEXT TEXT...</c>: the cosine similarity matrix of the texts.</summary>
internal sealed class SimilarityCommand : ICommand
{
    public string Name => "similarity";

    public string Summary => "print the cosine similarity matrix of the given texts";

    public string Help => $"""
        usage: glucose similarity [--model DIR] [options] TEXT TEXT...

        Prints each text with a number, then the cosine similarity of every pair.

        options:
          --quiet            no download progress (without --model)
        {ModelOptions.Help}
        """;

    public IReadOnlyDictionary<string, bool> Options { get; } = ModelOptions.With(("quiet", false));

    public async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        List<string> texts = line.Positional;
        if (texts.Count < 2)
        {
            throw new UsageException($"needs at least two texts; got {texts.Count}");
        }

        using GlucoseEmbedder embedder = await ModelOptions.OpenAsync(line, cancellationToken);
        float[][] embeddings = await embedder.EncodeAsync(texts, ModelOptions.Prompt(line, GlucosePrompts.Passage), cancellationToken: cancellationToken);
        float[][] matrix = Similarity.CosineMatrix(embeddings);

        for (int i = 0; i < texts.Count; i++)
        {
            Console.WriteLine($"[{i + 1}] {texts[i]}");
        }

        Console.WriteLine();
        var header = new StringBuilder("     ");
        for (int j = 0; j < texts.Count; j++)
        {
            header.Append(CultureInfo.InvariantCulture, $"{$"[{j + 1}]",8}");
        }

        Console.WriteLine(header);
        for (int i = 0; i < texts.Count; i++)
        {
            var row = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{$"[{i + 1}]",-5}");
            for (int j = 0; j < texts.Count; j++)
            {
                row.Append(CultureInfo.InvariantCulture, $"{matrix[i][j],8:F4}");
            }

            Console.WriteLine(row);
        }

        return Cli.Ok;
    }
}
