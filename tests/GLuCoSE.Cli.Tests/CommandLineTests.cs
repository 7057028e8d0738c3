using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using GLuCoSE.Cli.Commands;
using GLuCoSE.Cli.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Cli.Tests;

/// <summary>
/// The command line as users type it: help, usage errors (exit 2, a message on stderr naming the command and the
/// option), and the conventions the hand-written parser had that scripts rely on.
/// </summary>
public sealed class CommandLineTests
{
    private static readonly string Model = TestPaths.TinyModel;
    private static readonly string Corpus = TestPaths.InRepository(Path.Combine("samples", "data", "corpus-sample.txt"));
    private static readonly string CliDocs = TestPaths.InRepository(Path.Combine("docs", "cli.md"));

    public static TheoryData<string> CommandNames => new(Cli.CreateRootCommand().Subcommands.Where(c => !c.Hidden).Select(c => c.Name));

    [Fact]
    public void CommandNames_AreTodays()
    {
        Assert.Equal(["similarity", "search", "encode", "eval-jsts", "download", "parity", "quantize"], CommandNames.Select(row => row.Data));
    }

    [Fact]
    public async Task Run_NoArguments_PrintsHelpOnStderrAndExitsUsage()
    {
        CliRun run = await CliRun.RunAsync();

        Assert.Equal(Cli.Usage, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("glucose [command] [options]", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Run_Help_PrintsTheCommandsAndExitsOk(string help)
    {
        CliRun run = await CliRun.RunAsync(help);

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Empty(run.Error);
        foreach (string name in CommandNames.Select(row => row.Data))
        {
            Assert.Matches($"(?m)^  {Regex.Escape(name)}\\b", run.Output);
        }

        Assert.Contains("Exit codes: 0 success, 1 the command failed, 2 wrong command line, 130 interrupted.", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task Run_CommandHelp_PrintsUsageOptionsAndNotes(string command)
    {
        CliRun run = await CliRun.RunAsync(command, "--help");
        CliRun viaHelpCommand = await CliRun.RunAsync("help", command);

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Matches($"(?m)^Usage:\\n  glucose {Regex.Escape(command)} ", run.Output.ReplaceLineEndings("\n"));
        GlucoseCommand definition = Definition(command);
        foreach (Option option in definition.Options)
        {
            Assert.Contains(option.Name, run.Output, StringComparison.Ordinal);
        }

        Assert.Contains(definition.HelpNotes!.ReplaceLineEndings(), run.Output, StringComparison.Ordinal);
        Assert.Equal(run, viaHelpCommand);
    }

    [Fact]
    public async Task Run_Help_IsWhatDocsCliMdShows()
    {
        // docs/cli.md shows the help in English, as System.CommandLine writes it for the invariant culture.
        CultureInfo culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            CliRun run = await CliRun.RunAsync("--help");

            string docs = (await File.ReadAllTextAsync(CliDocs, TestContext.Current.CancellationToken)).ReplaceLineEndings("\n");
            Match shown = Regex.Match(docs, "```\n\\$ glucose --help\n(.*?)```", RegexOptions.Singleline);
            Assert.True(shown.Success, "docs/cli.md has no block starting with '$ glucose --help'");
            Assert.Equal(shown.Groups[1].Value.TrimEnd(), run.Output.ReplaceLineEndings("\n").TrimEnd());
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task Definition_EveryOption_IsInDocsCliMd(string command)
    {
        string docs = await File.ReadAllTextAsync(CliDocs, TestContext.Current.CancellationToken);

        foreach (Option option in Definition(command).Options)
        {
            Assert.Contains($"`{option.Name}", docs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_HelpWithAnUnknownOption_StillPrintsHelp()
    {
        CliRun run = await CliRun.RunAsync("search", "--nope", "--help");

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Contains("glucose search", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Version_PrintsTheAssemblyVersion()
    {
        CliRun run = await CliRun.RunAsync("--version");

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.StartsWith("0.", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "no-such-command" }, "glucose: ", "'no-such-command'")]
    [InlineData(new[] { "help", "no-such-command" }, "glucose: ", "'no-such-command'")]
    [InlineData(new[] { "search", "--nope" }, "glucose search: ", "'--nope'")]
    [InlineData(new[] { "similarity", "--model" }, "glucose similarity: ", "'--model'")]
    [InlineData(new[] { "similarity", "--model", "m", "a", "b", "--top", "3" }, "glucose similarity: ", "unknown option '--top'")]
    [InlineData(new[] { "similarity", "--model", "m", "a" }, "glucose similarity: ", "needs at least two texts; got 1")]
    [InlineData(new[] { "similarity", "--model", "m", "--normalize=true", "a", "b" }, "glucose similarity: ", "--normalize takes no value; got '--normalize=true'")]
    [InlineData(new[] { "similarity", "--model", "m", "--v2-prompts:false", "a", "b" }, "glucose similarity: ", "--v2-prompts takes no value")]
    [InlineData(new[] { "search", "--corpus", "c.txt" }, "glucose search: ", "'--query'")]
    [InlineData(new[] { "search", "--query", "q" }, "glucose search: ", "'--corpus'")]
    [InlineData(new[] { "search", "--corpus", "c.txt", "--query", "q", "--top", "zero" }, "glucose search: ", "--top must be a whole number of at least 1; got 'zero'")]
    [InlineData(new[] { "search", "--corpus", "c.txt", "--query", "q", "--top", "0" }, "glucose search: ", "--top must be a whole number of at least 1; got '0'")]
    [InlineData(new[] { "search", "--corpus", "c.txt", "--query", "q", "--quantization", "int4" }, "glucose search: ", "'int4'")]
    [InlineData(new[] { "encode", "--input", "in.txt" }, "glucose encode: ", "'--output'")]
    [InlineData(new[] { "encode", "--input", "in.txt", "--output", "out.npy", "--batch-size", "-1" }, "glucose encode: ", "--batch-size must be a whole number of at least 1; got '-1'")]
    [InlineData(new[] { "eval-jsts" }, "glucose eval-jsts: ", "'--data'")]
    [InlineData(new[] { "eval-jsts", "--data", "d.jsonl", "--threads", "0" }, "glucose eval-jsts: ", "--threads must be a whole number of at least 1; got '0'")]
    [InlineData(new[] { "eval-jsts", "--data", "d.jsonl", "--max-length", "1" }, "glucose eval-jsts: ", "--max-length must be a whole number of at least 2; got '1'")]
    [InlineData(new[] { "download", "texts" }, "glucose download: ", "'texts'")]
    [InlineData(new[] { "download", "--model", "m" }, "glucose download: ", "'--model'")]
    [InlineData(new[] { "parity" }, "glucose parity: ", "'--model'")]
    [InlineData(new[] { "parity", "--model", "m", "--normalize" }, "glucose parity: ", "'--normalize'")]
    public async Task Run_WrongCommandLine_ExitsUsageNamingCommandAndProblem(string[] args, string prefix, string expected)
    {
        CliRun run = await CliRun.RunAsync(args);

        Assert.Equal(Cli.Usage, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith(prefix, run.Error, StringComparison.Ordinal);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        string hint = prefix == "glucose: " ? "Run 'glucose --help' for the commands." : $"Run '{prefix.TrimEnd(' ', ':')} --help' for its options.";
        Assert.EndsWith(hint + Environment.NewLine, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--source", "pkshatech/GLuCoSE-base-ja@" }, "glucose download: --source: 'pkshatech/GLuCoSE-base-ja@' has an empty revision")]
    [InlineData(new[] { "--onnx-url", "notaurl" }, "glucose download: --onnx-url must be an absolute http or https URL; got 'notaurl'")]
    [InlineData(new[] { "--onnx-url", "ftp://host/model.onnx" }, "glucose download: --onnx-url must be an absolute http or https URL")]
    public async Task Download_BadSourceValues_AreUsageErrorsNamingTheOption(string[] args, string expected)
    {
        CliRun run = await CliRun.RunAsync(["download", .. args]);

        Assert.Equal(Cli.Usage, run.ExitCode);
        Assert.StartsWith(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_FolderSourceWithOnnxUrl_IsAUsageError()
    {
        CliRun run = await CliRun.RunAsync("download", "--source", Model, "--onnx-url", "https://host/model.onnx");

        Assert.Equal(Cli.Usage, run.ExitCode);
        Assert.Contains("--onnx-url only goes with a hub repository", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--source", "someone/model")]
    [InlineData("--onnx-url", "https://host/model.onnx")]
    public async Task Similarity_ModelWithDownloadOption_IsAUsageError(string option, string value)
    {
        CliRun run = await CliRun.RunAsync("similarity", "--model", Model, option, value, "a", "b");

        Assert.Equal(Cli.Usage, run.ExitCode);
        Assert.Contains("--model names a folder; --source and --onnx-url name a download: give one or the other", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Similarity_TextsAfterDoubleDash_AreTextsEvenWhenTheyLookLikeOptions()
    {
        CliRun run = await CliRun.RunAsync("similarity", "--model", Model, "-x", "--", "--top", "-h");

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Contains("[1] -x\n[2] --top\n[3] -h\n", run.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Similarity_TextsStartingWithAtOrDash_AreTexts()
    {
        CliRun run = await CliRun.RunAsync("similarity", "--model", Model, "@pkshatech", "-h?", "-");

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Contains("[1] @pkshatech\n[2] -h?\n[3] -\n", run.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Similarity_FlagsTakeNoValue_TheNextArgumentIsAText()
    {
        CliRun run = await CliRun.RunAsync("similarity", "--model", Model, "--normalize", "true", "false");

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Contains("[1] true\n[2] false\n", run.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_ValueAfterEqualsAndRepeatedOptions_LastValueWinsQueriesAdd()
    {
        CliRun run = await CliRun.RunAsync("search", "--model", "elsewhere", "--model=" + Model, "--corpus", Corpus, "--query=猫", "--query", "犬", "--top", "4", "--top=2", "--quiet");

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Contains("query: 猫", run.Output, StringComparison.Ordinal);
        Assert.Contains("query: 犬", run.Output, StringComparison.Ordinal);
        Assert.Equal(4, HitRows(run.Output));
    }

    [Fact]
    public async Task Search_QuantizationGivenTwice_LastValueWins()
    {
        CliRun run = await CliRun.RunAsync("search", "--model", Model, "--corpus", Corpus, "--query", "猫", "--quantization", "int8", "--quantization=binary", "--quiet");

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Equal(5, HitRows(run.Output));
    }

    [Fact]
    public async Task Search_TopNotGiven_DefaultsToFive()
    {
        CliRun run = await CliRun.RunAsync("search", "--model", Model, "--corpus", Corpus, "--query", "猫", "--quiet");

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Equal(5, HitRows(run.Output));
    }

    private static GlucoseCommand Definition(string name) =>
        Cli.CreateRootCommand().Subcommands.OfType<GlucoseCommand>().Single(c => c.Name == name);

    private static int HitRows(string output) => Regex.Count(output, @"(?m)^ +[0-9]+ +[-0-9.]+ +[0-9]+ ");
}
