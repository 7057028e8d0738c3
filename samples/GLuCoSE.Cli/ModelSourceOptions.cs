using System.CommandLine;
using System.CommandLine.Parsing;

namespace GLuCoSE.Cli;

/// <summary>
/// <c>--source SPEC</c> and <c>--onnx-url URL</c>: where a model is downloaded from. A value the library rejects is a
/// usage error that names the option.
/// </summary>
internal sealed class ModelSourceOptions
{
    public ModelSourceOptions(string sourceDescription, string onnxUrlDescription)
    {
        Source = new Option<GlucoseModelSource?>("--source")
        {
            HelpName = "SPEC",
            Description = sourceDescription,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            CustomParser = ParseSource,
        };
        OnnxUrl = new Option<string?>("--onnx-url")
        {
            HelpName = "URL",
            Description = onnxUrlDescription,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            CustomParser = ParseOnnxUrl,
        };
    }

    public Option<GlucoseModelSource?> Source { get; }

    public Option<string?> OnnxUrl { get; }

    /// <summary>Adds both options to <paramref name="command"/>, and the rule that <c>--onnx-url</c> needs a hub repository.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Source);
        command.Options.Add(OnnxUrl);
        command.Validators.Add(result =>
        {
            if (result.GetResult(OnnxUrl) is not null && result.GetValue(Source) is { LocalDirectory: not null })
            {
                result.AddError("--source names a folder, which holds its own model.onnx; --onnx-url only goes with a hub repository");
            }
        });
    }

    /// <summary>The source the options name; GLuCoSE-base-ja when neither is given.</summary>
    public GlucoseModelSource GetSource(ParseResult parseResult)
    {
        GlucoseModelSource source = parseResult.GetValue(Source) ?? GlucoseModelSource.Default;
        return parseResult.GetValue(OnnxUrl) is string url ? source with { OnnxUrl = url } : source;
    }

    private static GlucoseModelSource? ParseSource(ArgumentResult result)
    {
        try
        {
            return GlucoseModelSource.Parse(CliOption.Last(result));
        }
        catch (ArgumentException ex)
        {
            result.AddError($"--source: {WithoutParameter(ex)}");
            return null;
        }
    }

    private static string? ParseOnnxUrl(ArgumentResult result)
    {
        string url = CliOption.Last(result);
        if (Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp))
        {
            return url;
        }

        result.AddError($"--onnx-url must be an absolute http or https URL; got '{url}'");
        return null;
    }

    private static string WithoutParameter(ArgumentException ex) =>
        ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
}
