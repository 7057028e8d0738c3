using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using GLuCoSE.Cli.Commands;

namespace GLuCoSE.Cli;

/// <summary>
/// The <c>glucose</c> command line: the commands, and how a run ends. System.CommandLine parses, validates and writes
/// --help from the commands' definitions; a wrong command line exits 2, a failed run 1, an interrupted one 130.
/// </summary>
internal static class Cli
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed (a file that cannot be read, a model that does not load).</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Interrupted = 130;

    /// <summary>The name in help and messages, whether run as the installed tool, with dotnet run or as a .dll.</summary>
    public const string Name = "glucose";

    private const string RootNotes = """
        The commands that embed take --model DIR (a model folder: model.onnx + sentencepiece.bpe.model) or --source SPEC;
        without either, GLuCoSE-base-ja is downloaded from the Hugging Face hub on first use and cached ('glucose download'
        fetches it ahead of time). Run 'glucose <command> --help' for a command's options.

        Exit codes: 0 success, 1 the command failed, 2 wrong command line, 130 interrupted.
        """;

    // Texts are taken as typed: "@name" is a text, not a response file to read, and "-h?" is not "-h -?".
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    /// <summary>The commands, in the order --help lists them.</summary>
    private static GlucoseCommand[] CreateCommands() =>
    [
        new SimilarityCommand(),
        new SearchCommand(),
        new EncodeCommand(),
        new EvalStsCommand(),
        new DownloadCommand(),
        new ParityCommand(),
        new QuantizeCommand(),
    ];

    /// <summary>Runs a command line with the console's standard output and error.</summary>
    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) =>
        RunAsync(args, Console.Out, Console.Error, cancellationToken);

    /// <summary>
    /// Runs a command line: results and --help go to <paramref name="output"/>; usage errors and failures to
    /// <paramref name="error"/>. Returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ParseResult parseResult = CreateRootCommand().Parse(args, Parsing);
        List<string> usageErrors = UsageErrors(parseResult, args);
        if (usageErrors.Count > 0)
        {
            string command = CommandName(parseResult);
            foreach (string usageError in usageErrors)
            {
                await error.WriteLineAsync($"{command}: {usageError}");
            }

            await error.WriteLineAsync(parseResult.CommandResult.Command is GlucoseCommand
                ? $"Run '{command} --help' for its options."
                : $"Run '{Name} --help' for the commands.");
            return Usage;
        }

        // Ctrl+C is the caller's (Program.cs cancels the token and waits for the command to clean up), and exceptions
        // are mapped below, so System.CommandLine neither hooks the process's termination nor prints stack traces.
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"{Name}: interrupted");
            return Interrupted;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or InvalidOperationException or ArgumentException
                                       or UnauthorizedAccessException or NotSupportedException or System.Text.Json.JsonException
                                       or System.Net.Http.HttpRequestException)
        {
            await error.WriteLineAsync($"{CommandName(parseResult)}: {ex.Message}");
            return Failed;
        }
    }

    /// <summary>The root command with every subcommand; its help option prints each command's notes after the options.</summary>
    internal static Command CreateRootCommand()
    {
        var help = new HelpOption();
        help.Action = new HelpWithNotesAction((HelpAction)help.Action!);
        var root = new Command(Name, "Japanese sentence embeddings with GLuCoSE, on the CPU or an NVIDIA GPU.")
        {
            help,
            new VersionOption(),
        };
        GlucoseCommand[] commands = CreateCommands();
        foreach (GlucoseCommand command in commands)
        {
            root.Subcommands.Add(command);
        }

        // 'glucose help [COMMAND]' as well as --help; not listed, as -h and --help are.
        var topic = new Argument<string?>("COMMAND") { Arity = ArgumentArity.ZeroOrOne };
        topic.AcceptOnlyFromAmong(commands.Select(c => c.Name).ToArray());
        var helpCommand = new Command("help", "Show the help of glucose or of a command.") { Hidden = true };
        helpCommand.Arguments.Add(topic);
        helpCommand.SetAction((parseResult, cancellationToken) =>
            root.Parse(parseResult.GetValue(topic) is string name ? [name, "--help"] : ["--help"], Parsing)
                .InvokeAsync(parseResult.InvocationConfiguration, cancellationToken));
        root.Subcommands.Add(helpCommand);

        // No command at all: the help, on stderr, as a usage error.
        root.SetAction(parseResult =>
        {
            var toError = new InvocationConfiguration { Output = parseResult.InvocationConfiguration.Error };
            root.Parse(["--help"], Parsing).Invoke(toError);
            return Usage;
        });
        return root;
    }

    /// <summary>
    /// System.CommandLine's errors; and, for a command about to run, what it would take as a text that is a mistake: an
    /// argument that looks like an option ('similarity a b --top 3' would compare four texts) and a value given to a
    /// flag ('--normalize=true' would add the text 'true'). After '--', every argument is a text.
    /// </summary>
    private static List<string> UsageErrors(ParseResult parseResult, string[] args)
    {
        if (parseResult.Action is ParseErrorAction)
        {
            return parseResult.Errors.Select(e => e.Message).ToList();
        }

        var errors = new List<string>();
        Command command = parseResult.CommandResult.Command;
        if (parseResult.Action != command.Action)
        {
            return errors;  // --help or --version
        }

        int end = parseResult.Tokens.Count;
        for (int i = 0; i < parseResult.Tokens.Count; i++)
        {
            if (parseResult.Tokens[i].Type == TokenType.DoubleDash)
            {
                end = i;
                break;
            }
        }

        foreach (string arg in args.TakeWhile(a => a != "--"))
        {
            int split = arg.IndexOfAny(['=', ':']);
            if (arg.StartsWith("--", StringComparison.Ordinal) && split > 2
                && command.Options.Any(o => o.Arity.MaximumNumberOfValues == 0 && (o.Name == arg[..split] || o.Aliases.Contains(arg[..split]))))
            {
                errors.Add($"{arg[..split]} takes no value; got '{arg}'");
            }
        }

        foreach (Argument argument in command.Arguments)
        {
            foreach (Token token in parseResult.GetResult(argument)?.Tokens ?? [])
            {
                if (token.Value.StartsWith("--", StringComparison.Ordinal) && token.Value.Length > 2 && IndexOf(parseResult.Tokens, token) < end)
                {
                    errors.Add($"unknown option '{token.Value}' (put texts that start with -- after a '--')");
                }
            }
        }

        return errors;
    }

    private static int IndexOf(IReadOnlyList<Token> tokens, Token token)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            if (ReferenceEquals(tokens[i], token))
            {
                return i;
            }
        }

        return -1;
    }

    private static string CommandName(ParseResult parseResult) =>
        parseResult.CommandResult.Command is GlucoseCommand command ? $"{Name} {command.Name}" : Name;

    /// <summary>System.CommandLine's help, then the command's notes (or the root's).</summary>
    private sealed class HelpWithNotesAction(HelpAction help) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => help.ClearsParseErrors;

        public override int Invoke(ParseResult parseResult)
        {
            help.Invoke(parseResult);
            string? notes = parseResult.CommandResult.Command is GlucoseCommand command ? command.HelpNotes : RootNotes;
            if (notes is not null)
            {
                TextWriter output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(notes);
                output.WriteLine();
            }

            return Ok;
        }
    }
}
