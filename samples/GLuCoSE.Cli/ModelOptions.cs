namespace GLuCoSE.Cli;

/// <summary>The options every command shares to choose and run a model, and the one place a model is opened.</summary>
internal static class ModelOptions
{
    public const string Help = """
          --model DIR        the model folder (model.onnx + sentencepiece.bpe.model; see models/README.md)
          --onnx FILE        the ONNX file in the folder to use (default model.onnx)
          --cuda             run on an NVIDIA GPU (needs the Microsoft.ML.OnnxRuntime.Gpu.Linux package)
          --threads N        ONNX Runtime intra-op threads (default: one per physical core)
          --batch-size N     texts per model run (default 32)
          --max-length N     tokens per text before truncation (default: the model's, 512 for GLuCoSE)
          --normalize        scale embeddings to unit length
          --v2-prompts       put "query: " before queries and "passage: " before other texts (GLuCoSE-base-ja-v2)
          -h, --help         show this help
        """;

    public static IEnumerable<KeyValuePair<string, bool>> Options =>
    [
        new("model", true),
        new("onnx", true),
        new("cuda", false),
        new("threads", true),
        new("batch-size", true),
        new("max-length", true),
        new("normalize", false),
        new("v2-prompts", false),
    ];

    /// <summary>
    /// Opens the model the command line names. This is the only place a model folder is resolved from the command line:
    /// a default model and downloads from the Hugging Face hub (issue 5, <c>GlucoseEmbedder.CreateAsync</c>) plug in here.
    /// </summary>
    public static Task<GlucoseEmbedder> OpenAsync(CommandLine line, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string model = line.Value("model")
            ?? throw new UsageException("--model DIR is required (a model folder with model.onnx and sentencepiece.bpe.model; see models/README.md)");
        var options = new GlucoseEmbedderOptions
        {
            BatchSize = line.Int("batch-size", 32, 1),
            MaxSequenceLength = line.Int("max-length", 0, 2),
            NormalizeEmbeddings = line.Has("normalize"),
            ExecutionProvider = line.Has("cuda") ? GlucoseExecutionProvider.Cuda : GlucoseExecutionProvider.Cpu,
        };
        if (line.Value("onnx") is string onnx)
        {
            options.ModelFileName = onnx;
        }

        if (line.Has("threads"))
        {
            options.IntraOpNumThreads = line.Int("threads", 0, 1);
        }

        if (line.Has("v2-prompts"))
        {
            GlucosePrompts.UseVersion2Prompts(options);
        }

        return Task.Run(() => GlucoseEmbedder.Create(model, options), cancellationToken);
    }

    /// <summary>The prompt for texts of <paramref name="kind"/> (query or passage) when --v2-prompts is on; else none.</summary>
    public static string? Prompt(CommandLine line, string kind) => line.Has("v2-prompts") ? kind : null;

    public static Dictionary<string, bool> With(params (string Name, bool TakesValue)[] own)
    {
        var all = new Dictionary<string, bool>(Options, StringComparer.Ordinal);
        foreach ((string name, bool takesValue) in own)
        {
            all[name] = takesValue;
        }

        return all;
    }
}
