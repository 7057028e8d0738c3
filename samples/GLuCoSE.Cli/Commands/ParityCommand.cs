using System.CommandLine;
using System.Globalization;
using GLuCoSE.Cli.IO;

namespace GLuCoSE.Cli.Commands;

/// <summary>
/// <c>glucose parity --model DIR [--file FILE]</c>: compares the C# pipeline with the Python stack's ids and embeddings
/// in the <c>parity.json</c> that <c>models/export_onnx.py</c> writes beside the graph.
/// </summary>
internal sealed class ParityCommand : GlucoseCommand
{
    /// <summary>The largest difference allowed per embedding component (what the library states for sentence-transformers).</summary>
    public const double Tolerance = 1e-4;

    private readonly Option<string> _model = CliOption.Text("--model", "DIR", "the model folder (model.onnx + sentencepiece.bpe.model), loaded with the library's defaults");
    private readonly Option<string> _file = CliOption.Text("--file", "FILE", "the parity file (default: DIR/parity.json)");

    public ParityCommand()
        : base("parity", "Compare the model folder's ids and embeddings with Python's (parity.json).")
    {
        _model.Required = true;
        Options.Add(_model);
        Options.Add(_file);
    }

    public override string HelpNotes => """
        Loads the model folder with its defaults, then checks every sentence of parity.json (written by
        models/export_onnx.py from sentence-transformers): the token ids must be equal, and the embedding must be
        within 1e-4 of Python's in every component. Prints a line per sentence and a summary.

        Exit codes: 0 every sentence matches, 1 a mismatch (or a file or model that cannot be read), 2 wrong command line.
        """;

    protected override async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        string model = parseResult.GetRequiredValue(_model);
        string file = parseResult.GetValue(_file) ?? Path.Combine(model, "parity.json");
        TextWriter output = parseResult.InvocationConfiguration.Output;
        ParityFile parity = ParityFile.Read(file);

        using GlucoseEmbedder embedder = await Task.Run(() => GlucoseEmbedder.Create(model), cancellationToken);
        var texts = new string[parity.Sentences.Count];
        for (int i = 0; i < texts.Length; i++)
        {
            texts[i] = parity.Sentences[i].Text;
        }

        float[][] embeddings = await embedder.EncodeAsync(texts, cancellationToken: cancellationToken);

        int failed = 0;
        if (embedder.MaxSequenceLength != parity.MaxSequenceLength)
        {
            failed++;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FAIL  max_seq_length: parity.json {parity.MaxSequenceLength}, the model folder {embedder.MaxSequenceLength} (sentence_bert_config.json)"));
        }

        double largest = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            ParitySentence expected = parity.Sentences[i];
            int[] ids = embedder.Tokenizer.EncodeToIds(expected.Text, embedder.MaxSequenceLength);
            string? idProblem = CompareIds(expected.Ids, ids);
            string embeddingProblem = CompareEmbedding(expected.Embedding, embeddings[i], out double difference, out bool embeddingOk);
            largest = Math.Max(largest, double.IsNaN(difference) ? double.PositiveInfinity : difference);
            bool ok = idProblem is null && embeddingOk;
            failed += ok ? 0 : 1;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(ok ? "ok  " : "FAIL")}  [{i + 1}] {TextTable.Fit(expected.Text, 32)}  {idProblem ?? $"ids equal ({ids.Length})"}; {embeddingProblem}"));
        }

        output.WriteLine(failed == 0
            ? string.Create(CultureInfo.InvariantCulture, $"parity: all {texts.Length} sentences match (ids equal, embeddings within {Tolerance:0e0}; largest difference {largest:0.0e0}) in {file}")
            : string.Create(CultureInfo.InvariantCulture, $"parity: {failed} of {texts.Length} checks FAILED (ids must be equal, embeddings within {Tolerance:0e0}) in {file}"));
        return failed == 0 ? Cli.Ok : Cli.Failed;
    }

    /// <summary>Null when equal; otherwise where the ids first differ.</summary>
    private static string? CompareIds(int[] expected, int[] actual)
    {
        int common = Math.Min(expected.Length, actual.Length);
        for (int k = 0; k < common; k++)
        {
            if (expected[k] != actual[k])
            {
                return string.Create(CultureInfo.InvariantCulture, $"ids differ at position {k}: Python {expected[k]}, C# {actual[k]}");
            }
        }

        return expected.Length == actual.Length
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"ids differ in length: Python {expected.Length}, C# {actual.Length}");
    }

    private static string CompareEmbedding(float[] expected, float[] actual, out double largest, out bool ok)
    {
        largest = 0;
        if (expected.Length != actual.Length)
        {
            largest = double.PositiveInfinity;
            ok = false;
            return string.Create(CultureInfo.InvariantCulture, $"embedding has {actual.Length} dimensions, Python's {expected.Length}");
        }

        int worst = 0;
        for (int k = 0; k < expected.Length; k++)
        {
            double difference = Math.Abs((double)expected[k] - actual[k]);
            if (!(difference <= largest))
            {
                largest = difference;
                worst = k;
            }
        }

        ok = largest <= Tolerance;
        return ok
            ? string.Create(CultureInfo.InvariantCulture, $"max |difference| {largest:0.0e0}")
            : string.Create(CultureInfo.InvariantCulture, $"embedding differs by {largest:0.0e0} at component {worst} (allowed {Tolerance:0e0})");
    }
}
