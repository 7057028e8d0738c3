namespace GLuCoSE.Cli.Commands;

/// <summary>One subcommand of <c>glucose</c>.</summary>
internal interface ICommand
{
    string Name { get; }

    string Summary { get; }

    string Help { get; }

    /// <summary>The options it takes: name (without dashes) → whether the option takes a value.</summary>
    IReadOnlyDictionary<string, bool> Options { get; }

    Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken);
}
