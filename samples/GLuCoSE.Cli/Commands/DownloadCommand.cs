namespace GLuCoSE.Cli.Commands;

/// <summary>
/// <c>glucose download [--source SPEC] [--onnx-url URL]</c>: fetches a model into the cache, loads it once, prints its
/// folder.
/// </summary>
internal sealed class DownloadCommand : ICommand
{
    public string Name => "download";

    public string Summary => "download a model into the local cache (GLuCoSE-base-ja by default) and print its folder";

    public string Help => """
        usage: glucose download [--source SPEC] [--onnx-url URL] [--quiet]

        Downloads the tokenizer and config files from the Hugging Face hub (at a pinned revision) and the ONNX graph,
        checks them (size and SHA-256 in the cache's manifest), loads the model once and prints the model folder.
        Interrupted downloads resume. Later runs of any command, and apps calling GlucoseEmbedder.CreateAsync, use the
        cached copy without the network. Loading once checks that the graph loads here rather than in the app; nothing
        is written outside the cache folder.

        options:
          --source SPEC      a Hugging Face repository owner/name[@revision], or a folder (default: pkshatech/GLuCoSE-base-ja)
          --onnx-url URL     where the ONNX graph comes from (default: the public GLuCoSE-base-ja export)
          --quiet            no download progress
          -h, --help         show this help

        environment: HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE=1, GLUCOSE_CACHE (the cache folder), GLUCOSE_ONNX_URL
        """;

    public IReadOnlyDictionary<string, bool> Options { get; } = new Dictionary<string, bool>(StringComparer.Ordinal)
    {
        ["source"] = true,
        ["onnx-url"] = true,
        ["quiet"] = false,
    };

    public async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        if (line.Positional.Count > 0)
        {
            throw new UsageException($"takes no texts; got '{line.Positional[0]}'");
        }

        // CreateAsync downloads and checks the files (as DownloadAsync would), then loads them once with the default
        // options, so that a graph that does not load fails here rather than in the app.
        GlucoseModelSource source = ModelOptions.Source(line);
        using (await GlucoseEmbedder.CreateAsync(source, progress: line.Has("quiet") ? null : new DownloadReporter(), cancellationToken: cancellationToken))
        {
        }

        Console.WriteLine(source.GetLocalFolder());
        return Cli.Ok;
    }
}
