using System.IO;
using GLuCoSE.Cli.Commands;

namespace GLuCoSE.Cli;

/// <summary>Dispatches a command line to its command; maps failures to messages and exit codes.</summary>
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

    private static readonly ICommand[] Commands =
    [
        new SimilarityCommand(),
        new SearchCommand(),
        new EncodeCommand(),
        new EvalStsCommand(),
        new DownloadCommand(),
        new ParityCommand(),
    ];

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? Console.Error : Console.Out).WriteLine(GeneralHelp());
            return args.Length == 0 ? Usage : Ok;
        }

        ICommand? command = Array.Find(Commands, c => c.Name == args[0]);
        if (command is null)
        {
            return UsageError($"unknown command '{args[0]}'", null);
        }

        CommandLine line;
        try
        {
            line = CommandLine.Parse(args[1..], command.Options);
        }
        catch (UsageException ex)
        {
            return UsageError(ex.Message, command);
        }

        if (line.Has("help"))
        {
            Console.WriteLine(command.Help);
            return Ok;
        }

        try
        {
            return await command.RunAsync(line, cancellationToken);
        }
        catch (UsageException ex)
        {
            return UsageError(ex.Message, command);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("glucose: interrupted");
            return Interrupted;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or InvalidOperationException or ArgumentException
                                       or UnauthorizedAccessException or NotSupportedException or System.Text.Json.JsonException
                                       or System.Net.Http.HttpRequestException)
        {
            Console.Error.WriteLine($"glucose {command.Name}: {ex.Message}");
            return Failed;
        }
    }

    private static int UsageError(string message, ICommand? command)
    {
        Console.Error.WriteLine(command is null ? $"glucose: {message}" : $"glucose {command.Name}: {message}");
        Console.Error.WriteLine(command is null ? "Run 'glucose --help' for the commands." : $"Run 'glucose {command.Name} --help' for its options.");
        return Usage;
    }

    private static string GeneralHelp()
    {
        var help = new System.Text.StringBuilder("""
            usage: glucose <command> [options]

            Japanese sentence embeddings with GLuCoSE, on the CPU or an NVIDIA GPU.

            commands:

            """);
        foreach (ICommand command in Commands)
        {
            help.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  {command.Name,-12} {command.Summary}");
        }

        help.Append("""

            The commands that embed take --model DIR (a model folder: model.onnx + sentencepiece.bpe.model; see
            models/README.md) or --source SPEC; without either, GLuCoSE-base-ja is downloaded from the Hugging Face hub
            on first use and cached ('glucose download' fetches it ahead of time).
            Run 'glucose <command> --help' for a command's options.
            Exit codes: 0 success, 1 the command failed, 2 wrong command line, 130 interrupted.
            """);
        return help.ToString();
    }
}
