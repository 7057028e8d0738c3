using System.CommandLine;

namespace GLuCoSE.Cli.Commands;

/// <summary>
/// <c>glucose download [--source SPEC] [--onnx-url URL] [--int8]</c>: fetches a model into the cache, loads it once, prints its
/// folder.
/// </summary>
internal sealed class DownloadCommand : GlucoseCommand
{
    private readonly ModelSourceOptions _download = new(
        "a Hugging Face repository owner/name[@revision], or a folder (default: pkshatech/GLuCoSE-base-ja at its pinned commit)",
        "where the ONNX graph comes from (default: the public GLuCoSE-base-ja export)");

    private readonly Option<bool> _quiet = CliOption.Flag("--quiet", "no download progress");
    private readonly Option<bool> _int8 = CliOption.Flag("--int8", "also make the int8 graph (model_int8.onnx) in the cache, once, and load it");

    public DownloadCommand()
        : base("download", "Download a model into the local cache (GLuCoSE-base-ja by default) and print its folder.")
    {
        _download.AddTo(this);
        Options.Add(_quiet);
        Options.Add(_int8);
    }

    public override string HelpNotes => """
        Downloads the tokenizer and config files from the Hugging Face hub (at a pinned revision) and the ONNX graph,
        checks them (size and SHA-256 in the cache's manifest), loads the model once and prints the model folder.
        Interrupted downloads resume. Later runs of any command, and apps calling GlucoseEmbedder.CreateAsync, use the
        cached copy without the network. Loading once checks that the graph loads here rather than in the app; nothing
        is written outside the cache folder, except with --int8 and a folder as --source. With --int8, the graph is also
        quantized to model_int8.onnx in the cache (once; again only if model.onnx changes), as
        GlucoseModelSource.Precision = Int8 does for CreateAsync; for a folder source, model_int8.onnx (+ .data) is
        made in that folder, beside its model.onnx.

        Environment: HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE=1, GLUCOSE_CACHE (the cache folder), GLUCOSE_ONNX_URL.
        """;

    protected override async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        // CreateAsync downloads and checks the files (as DownloadAsync would), then loads them once with the default
        // options, so that a graph that does not load fails here rather than in the app.
        GlucoseModelSource source = _download.GetSource(parseResult);
        if (parseResult.GetValue(_int8))
        {
            source = source with { Precision = GlucosePrecision.Int8 };
        }

        IProgress<DownloadProgress>? progress = parseResult.GetValue(_quiet) ? null : new DownloadReporter();
        using (await GlucoseEmbedder.CreateAsync(source, progress: progress, cancellationToken: cancellationToken))
        {
        }

        parseResult.InvocationConfiguration.Output.WriteLine(source.GetLocalFolder());
        return Cli.Ok;
    }
}
