namespace GLuCoSE.Cli;

/// <summary>The options every command shares to choose and run a model, and the one place a model is opened.</summary>
internal static class ModelOptions
{
    public const string Help = """
          --model DIR        a model folder (model.onnx + sentencepiece.bpe.model; see models/README.md); without
                             --model or --source, GLuCoSE-base-ja is downloaded on first use and cached
          --source SPEC      where the model comes from: a folder, or a Hugging Face repo owner/name[@revision]
          --onnx-url URL     the ONNX graph to download with --source (default: the public GLuCoSE-base-ja export)
          --onnx FILE        the ONNX file in the folder to use (default model.onnx)
          --cuda             run on an NVIDIA GPU (needs the Microsoft.ML.OnnxRuntime.Gpu.Linux package)
          --threads N        ONNX Runtime intra-op threads (default: one per physical core)
          --batch-size N     texts per model run (default: 128 on the CPU, 32 on CUDA)
          --max-length N     tokens per text before truncation (default: the model's, 512 for GLuCoSE)
          --normalize        scale embeddings to unit length
          --v2-prompts       put "query: " before queries and "passage: " before other texts (GLuCoSE-base-ja-v2)
          -h, --help         show this help
        """;

    public static IEnumerable<KeyValuePair<string, bool>> Options =>
    [
        new("model", true),
        new("source", true),
        new("onnx-url", true),
        new("onnx", true),
        new("cuda", false),
        new("threads", true),
        new("batch-size", true),
        new("max-length", true),
        new("normalize", false),
        new("v2-prompts", false),
    ];

    /// <summary>
    /// Opens the model the command line names. This is the only place a model is resolved from the command line:
    /// --model DIR loads a folder; --source (a folder or a hub repository) or nothing at all goes through
    /// <see cref="GlucoseEmbedder.CreateAsync"/>, which downloads GLuCoSE-base-ja (or the source) on first use.
    /// </summary>
    public static async Task<GlucoseEmbedder> OpenAsync(CommandLine line, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = new GlucoseEmbedderOptions
        {
            BatchSize = line.Has("batch-size") ? line.Int("batch-size", 0, 1) : null,
            MaxSequenceLength = line.Has("max-length") ? line.Int("max-length", 0, 2) : null,
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

        if (line.Value("model") is string model)
        {
            if (line.Has("source") || line.Has("onnx-url"))
            {
                throw new UsageException("--model names a folder; --source and --onnx-url name a download: give one or the other");
            }

            return await Task.Run(() => GlucoseEmbedder.Create(model, options), cancellationToken);
        }

        // --quiet (on the commands that have it) also silences the download's progress.
        IProgress<DownloadProgress>? progress = line.Has("quiet") ? null : new DownloadReporter();
        return await GlucoseEmbedder.CreateAsync(Source(line), options, progress, cancellationToken);
    }

    /// <summary>
    /// The model source --source and --onnx-url name; GLuCoSE-base-ja when neither is given. A value the library
    /// rejects is a usage error naming the option.
    /// </summary>
    public static GlucoseModelSource Source(CommandLine line)
    {
        GlucoseModelSource source = GlucoseModelSource.Default;
        if (line.Value("source") is string spec)
        {
            try
            {
                source = GlucoseModelSource.Parse(spec);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"--source: {WithoutParameter(ex)}");
            }
        }

        if (line.Value("onnx-url") is not string url)
        {
            return source;
        }

        if (source.LocalDirectory is not null)
        {
            throw new UsageException("--source names a folder, which holds its own model.onnx; --onnx-url only goes with a hub repository");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
        {
            throw new UsageException($"--onnx-url must be an absolute http or https URL; got '{url}'");
        }

        return source with { OnnxUrl = url };
    }

    private static string WithoutParameter(ArgumentException ex) =>
        ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);

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
