using System.CommandLine;
using System.Text.Json;
using GLuCoSE.Cli.IO;

namespace GLuCoSE.Cli.Commands;

/// <summary><c>glucose encode --input FILE --output FILE</c>: embeddings of every text, as JSON lines or .npy.</summary>
internal sealed class EncodeCommand : GlucoseCommand
{
    // Progress is reported every batch of this many rows unless --batch-size gives another.
    private const int ProgressStep = 128;

    private readonly Option<string> _input = CliOption.Text(
        "--input", "FILE", "the texts: one per line, or .jsonl / .json (strings or objects with \"text\")");

    private readonly Option<string> _output = CliOption.Text("--output", "FILE", "where to write: a name ending in .npy gets a float32 matrix, any other JSON lines");
    private readonly Option<bool> _quiet = CliOption.Flag("--quiet", "no progress bar, nor download progress");
    private readonly ModelOptions _model = new();

    public EncodeCommand()
        : base("encode", "Embed every text of a file into JSON lines or a NumPy .npy matrix.")
    {
        _input.Required = true;
        _output.Required = true;
        Options.Add(_input);
        Options.Add(_output);
        Options.Add(_quiet);
        _model.AddTo(this);
    }

    public override string HelpNotes => """
        Streams the texts through the model a batch at a time (memory does not grow with the file) and writes one
        embedding per text, in input order: an --output ending in .npy gets a float32 matrix [texts, dimensions];
        any other name gets JSON lines {"index": 0, "text": "...", "embedding": [...]}. It writes to FILE.partial and
        moves it into place at the end, so an interrupted run leaves no half-written output.
        """;

    protected override async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        string input = parseResult.GetRequiredValue(_input);
        string output = parseResult.GetRequiredValue(_output);
        bool quiet = parseResult.GetValue(_quiet);

        // One pass to count (the .npy header and the progress bar need the total), one to embed.
        int total = TextFiles.Count(input);
        using GlucoseEmbedder embedder = await _model.OpenAsync(parseResult, quiet, cancellationToken);
        var progress = new ConsoleProgress("encoding", quiet);
        int batchSize = parseResult.GetValue(_model.BatchSize) ?? ProgressStep;
        progress.Report(0, total);

        string temporary = output + ".partial";
        bool npy = string.Equals(Path.GetExtension(output), ".npy", StringComparison.OrdinalIgnoreCase);
        IAsyncEnumerable<IndexedEmbedding> embeddings =
            embedder.EncodeStreamAsync(TextFiles.Read(input), _model.Prompt(parseResult, GlucosePrompts.Passage), cancellationToken);
        try
        {
            if (npy)
            {
                using var writer = new NpyWriter(File.Create(temporary), total, embedder.Dimensions);
                await foreach (IndexedEmbedding item in embeddings)
                {
                    writer.WriteRow(item.Embedding);
                    Report(progress, item, total, batchSize);
                }

                writer.Complete();
            }
            else
            {
                await WriteJsonLinesAsync(temporary, TextFiles.Read(input), embeddings, progress, total, batchSize, cancellationToken);
            }

            File.Move(temporary, output, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        parseResult.InvocationConfiguration.Output.WriteLine($"wrote {total} embeddings of {embedder.Dimensions} dimensions to {output}");
        return Cli.Ok;
    }

    private static async Task WriteJsonLinesAsync(
        string path,
        IEnumerable<string> texts,
        IAsyncEnumerable<IndexedEmbedding> embeddings,
        ConsoleProgress progress,
        int total,
        int batchSize,
        CancellationToken cancellationToken)
    {
        await using var stream = File.Create(path);
        await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        using IEnumerator<string> text = texts.GetEnumerator();
        await foreach (IndexedEmbedding item in embeddings.WithCancellation(cancellationToken))
        {
            text.MoveNext();
            json.WriteStartObject();
            json.WriteNumber("index", item.Index);
            json.WriteString("text", text.Current);
            json.WriteStartArray("embedding");
            foreach (float value in item.Embedding)
            {
                json.WriteNumberValue(value);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken);
            json.Reset();
            stream.WriteByte((byte)'\n');
            Report(progress, item, total, batchSize);
        }
    }

    private static void Report(ConsoleProgress progress, IndexedEmbedding item, int total, int batchSize)
    {
        // Once per batch: the stream yields a batch's embeddings together.
        long done = item.Index + 1;
        if (done % batchSize == 0 || done == total)
        {
            progress.Report(done, total);
        }
    }
}
