using System.CommandLine;

namespace GLuCoSE.Cli;

/// <summary>The options every command that embeds takes to choose and run a model, and the one place a model is opened.</summary>
internal sealed class ModelOptions
{
    public Option<string> Model { get; } = CliOption.Text(
        "--model", "DIR", "a model folder (model.onnx + sentencepiece.bpe.model); without --model or --source, GLuCoSE-base-ja is downloaded on first use and cached");

    public ModelSourceOptions Download { get; } = new(
        "where the model comes from: a folder, or a Hugging Face repository owner/name[@revision]",
        "the ONNX graph to download with --source (default: the public GLuCoSE-base-ja export)");

    public Option<string> Onnx { get; } = CliOption.Text("--onnx", "FILE", "the ONNX file in the folder to use (default: model.onnx; model_int8.onnx for int8)");

    public Option<bool> Cuda { get; } = CliOption.Flag("--cuda", "run on an NVIDIA GPU (needs the Microsoft.ML.OnnxRuntime.Gpu.Linux package)");

    public Option<int?> Threads { get; } = CliOption.OptionalWholeNumber("--threads", "N", "ONNX Runtime intra-op threads (default: one per physical core)", 1);

    public Option<int?> BatchSize { get; } = CliOption.OptionalWholeNumber("--batch-size", "N", "texts per model run (default: 128 on the CPU, 32 on CUDA)", 1);

    public Option<int?> MaxLength { get; } = CliOption.OptionalWholeNumber("--max-length", "N", "tokens per text before truncation (default: the model's, 512 for GLuCoSE)", 2);

    public Option<bool> Normalize { get; } = CliOption.Flag("--normalize", "scale embeddings to unit length");

    public Option<bool> V2Prompts { get; } = CliOption.Flag("--v2-prompts", "put \"query: \" before queries and \"passage: \" before other texts (GLuCoSE-base-ja-v2)");

    /// <summary>Adds the options to <paramref name="command"/>, and the rule that a folder and a download exclude each other.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        Download.AddTo(command);
        command.Options.Add(Onnx);
        command.Options.Add(Cuda);
        command.Options.Add(Threads);
        command.Options.Add(BatchSize);
        command.Options.Add(MaxLength);
        command.Options.Add(Normalize);
        command.Options.Add(V2Prompts);
        command.Validators.Add(result =>
        {
            if (result.GetResult(Model) is not null && (result.GetResult(Download.Source) is not null || result.GetResult(Download.OnnxUrl) is not null))
            {
                result.AddError("--model names a folder; --source and --onnx-url name a download: give one or the other");
            }
        });
    }

    /// <summary>
    /// Opens the model the command line names: --model DIR loads a folder; --source (a folder or a hub repository) or
    /// nothing at all goes through <see cref="GlucoseEmbedder.CreateAsync"/>, which downloads GLuCoSE-base-ja (or the
    /// source) on first use, showing its progress on stderr unless <paramref name="quiet"/>.
    /// </summary>
    public async Task<GlucoseEmbedder> OpenAsync(ParseResult parseResult, bool quiet, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = new GlucoseEmbedderOptions
        {
            BatchSize = parseResult.GetValue(BatchSize),
            MaxSequenceLength = parseResult.GetValue(MaxLength),
            NormalizeEmbeddings = parseResult.GetValue(Normalize),
            ExecutionProvider = parseResult.GetValue(Cuda) ? GlucoseExecutionProvider.Cuda : GlucoseExecutionProvider.Cpu,
            ModelFileName = parseResult.GetValue(Onnx),
            IntraOpNumThreads = parseResult.GetValue(Threads),
        };
        if (parseResult.GetValue(V2Prompts))
        {
            GlucosePrompts.UseVersion2Prompts(options);
        }

        if (parseResult.GetValue(Model) is string model)
        {
            return await Task.Run(() => GlucoseEmbedder.Create(model, options), cancellationToken);
        }

        return await GlucoseEmbedder.CreateAsync(Download.GetSource(parseResult), options, quiet ? null : new DownloadReporter(), cancellationToken);
    }

    /// <summary>The prompt for texts of <paramref name="kind"/> (query or passage) when --v2-prompts is on; else none.</summary>
    public string? Prompt(ParseResult parseResult, string kind) => parseResult.GetValue(V2Prompts) ? kind : null;
}
