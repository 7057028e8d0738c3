using System.Globalization;

namespace GLuCoSE.Cli;

/// <summary>A wrong command line: the message says what is wrong.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A parsed command line: <c>--name value</c> options (repeatable), flags, and positional arguments.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    private CommandLine()
    {
    }

    public List<string> Positional { get; } = [];

    /// <summary>Parses <paramref name="args"/> against the options a command takes (name → takes a value).</summary>
    public static CommandLine Parse(string[] args, IReadOnlyDictionary<string, bool> options)
    {
        var line = new CommandLine();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help")
            {
                line.Add("help", string.Empty);
                continue;
            }

            if (arg == "--")
            {
                line.Positional.AddRange(args[(i + 1)..]);
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                line.Positional.Add(arg);
                continue;
            }

            string name = arg[2..];
            string? inline = null;
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                inline = name[(equals + 1)..];
                name = name[..equals];
            }

            if (!options.TryGetValue(name, out bool takesValue))
            {
                throw new UsageException($"unknown option '--{name}'");
            }

            if (!takesValue)
            {
                line.Add(name, string.Empty);
                continue;
            }

            string? value = inline ?? (i + 1 < args.Length ? args[++i] : null);
            line.Add(name, value ?? throw new UsageException($"--{name} needs a value"));
        }

        return line;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Value(string name) => _values.TryGetValue(name, out List<string>? values) ? values[^1] : null;

    public string Required(string name, string what) =>
        Value(name) ?? throw new UsageException($"--{name} {what} is required");

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out List<string>? values) ? values : [];

    public int Int(string name, int defaultValue, int min)
    {
        string? text = Value(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min)
        {
            throw new UsageException($"--{name} must be a whole number of at least {min}; got '{text}'");
        }

        return value;
    }

    private void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out List<string>? values))
        {
            _values[name] = values = [];
        }

        values.Add(value);
    }
}
