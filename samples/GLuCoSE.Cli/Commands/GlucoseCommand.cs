using System.CommandLine;

namespace GLuCoSE.Cli.Commands;

/// <summary>
/// One subcommand of <c>glucose</c>: its options are fields set up in its constructor, which System.CommandLine parses,
/// validates and prints in --help; <see cref="RunAsync"/> runs it on a command line that parsed without errors.
/// </summary>
/// <remarks>
/// A new command is a class in Commands/ deriving from this one (options from <see cref="CliOption"/>, and
/// <see cref="ModelOptions"/> if it embeds), listed in <c>Cli.CreateCommands</c>, and documented in docs/cli.md, whose
/// copy of <c>glucose --help</c> and option lists the tests compare with the definitions.
/// </remarks>
internal abstract class GlucoseCommand : Command
{
    protected GlucoseCommand(string name, string description)
        : base(name, description)
    {
        SetAction(RunAsync);
    }

    /// <summary>What --help prints after the options (how the command works, what it needs); null for nothing.</summary>
    public virtual string? HelpNotes => null;

    /// <summary>
    /// Runs the command: results go to <c>parseResult.InvocationConfiguration.Output</c>; the exceptions <see cref="Cli"/>
    /// expects of a failed run (a file that cannot be read, a model that does not load) become exit code 1 there.
    /// </summary>
    /// <returns>The exit code: <see cref="Cli.Ok"/> or <see cref="Cli.Failed"/>.</returns>
    protected abstract Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken);
}
