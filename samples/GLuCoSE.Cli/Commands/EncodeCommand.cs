using System.Text.Json;
using GLuCoSE.Cli.IO;

namespace GLuCoSE.Cli.Commands;

/// <summary><c>glucose encode --input FILE --output FILE</c>: embeddings of every text, as JSON lines or .npy.</summary>
internal sealed class EncodeCommand : ICommand
{
    // Progress is reported every batch of this many rows unless --batch-size gives another.
    private const int ProgressStep = 128;

    public string Name => "encode";

    public string Summary => "embed every text of a file into JSON lines or a NumPy .npy matrix";

    public string Help => $"""
        usage: glucose encode [--model DIR] --input FILE --output FILE [options]

        Streams the texts through the model a batch at a time (memory does not grow with the file) and writes one
        embedding per text, in input order: OUTPUT ending in .npy gets a float32 matrix [texts, dimensions];
        anything else gets JSON lines {"{"}"index": 0, "text": "...", "embedding": [...]{"}"}.

        options:
          --input FILE       the texts: one per line, or .jsonl / .json (strings or objects with "text")
          --output FILE      where to write (.npy, or JSON lines)
          --quiet            no progress bar, nor download progress
        {ModelOptions.Help}
        """;

    public IReadOnlyDictionary<string, bool> Options { get; } =
        ModelOptions.With(("input", true), ("output", true), ("quiet", false));

    public async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string input = line.Required("input", "FILE");
        string output = line.Required("output", "FILE");
        if (line.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{line.Positional[0]}'");
        }

        // One pass to count (the .npy header and the progress bar need the total), one to embed.
        int total = TextFiles.Count(input);
        using GlucoseEmbedder embedder = await ModelOptions.OpenAsync(line, cancellationToken);
        var progress = new ConsoleProgress("encoding", line.Has("quiet"));
        int batchSize = line.Has("batch-size") ? line.Int("batch-size", 0, 1) : ProgressStep;
        progress.Report(0, total);

        string temporary = output + ".partial";
        bool npy = string.Equals(Path.GetExtension(output), ".npy", StringComparison.OrdinalIgnoreCase);
        IAsyncEnumerable<IndexedEmbedding> embeddings =
            embedder.EncodeStreamAsync(TextFiles.Read(input), ModelOptions.Prompt(line, GlucosePrompts.Passage), cancellationToken);
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

        Console.WriteLine($"wrote {total} embeddings of {embedder.Dimensions} dimensions to {output}");
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
