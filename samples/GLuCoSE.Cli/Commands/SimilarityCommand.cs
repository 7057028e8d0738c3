using System.CommandLine;
using System.Globalization;
using System.Text;

namespace GLuCoSE.Cli.Commands;

/// <summary><c>glucose similarity TEXT TEXT...</c>: the cosine similarity matrix of the texts.</summary>
internal sealed class SimilarityCommand : GlucoseCommand
{
    private readonly Argument<string[]> _texts = new("TEXT")
    {
        Description = "the texts to compare, at least two (quote each)",
        Arity = ArgumentArity.OneOrMore,
    };

    private readonly Option<bool> _quiet = CliOption.Flag("--quiet", "no download progress (without --model)");
    private readonly ModelOptions _model = new();

    public SimilarityCommand()
        : base("similarity", "Print the cosine similarity matrix of the given texts.")
    {
        Arguments.Add(_texts);
        _texts.Validators.Add(result =>
        {
            if (result.Tokens.Count < 2)
            {
                result.AddError($"needs at least two texts; got {result.Tokens.Count}");
            }
        });
        Options.Add(_quiet);
        _model.AddTo(this);
    }

    public override string HelpNotes => "Prints each text with a number, then the cosine similarity of every pair (4 decimals).";

    protected override async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        string[] texts = parseResult.GetRequiredValue(_texts);
        TextWriter output = parseResult.InvocationConfiguration.Output;
        using GlucoseEmbedder embedder = await _model.OpenAsync(parseResult, parseResult.GetValue(_quiet), cancellationToken);
        float[][] embeddings = await embedder.EncodeAsync(texts, _model.Prompt(parseResult, GlucosePrompts.Passage), cancellationToken: cancellationToken);
        float[][] matrix = Similarity.CosineMatrix(embeddings);

        for (int i = 0; i < texts.Length; i++)
        {
            output.WriteLine($"[{i + 1}] {texts[i]}");
        }

        output.WriteLine();
        var header = new StringBuilder("     ");
        for (int j = 0; j < texts.Length; j++)
        {
            header.Append(CultureInfo.InvariantCulture, $"{$"[{j + 1}]",8}");
        }

        output.WriteLine(header);
        for (int i = 0; i < texts.Length; i++)
        {
            var row = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{$"[{i + 1}]",-5}");
            for (int j = 0; j < texts.Length; j++)
            {
                row.Append(CultureInfo.InvariantCulture, $"{matrix[i][j],8:F4}");
            }

            output.WriteLine(row);
        }

        return Cli.Ok;
    }
}
