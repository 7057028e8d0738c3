using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GLuCoSE.Cli;

/// <summary>
/// The kinds of option glucose takes. A value option given twice keeps the last value (so a later option can override
/// one a script put earlier); a flag never takes a value, so the argument after it stays an argument.
/// </summary>
internal static class CliOption
{
    /// <summary>An option with one text value, such as <c>--model DIR</c>.</summary>
    public static Option<string> Text(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = Last,
    };

    /// <summary>An option given once per value, such as <c>--query TEXT</c> repeated.</summary>
    public static Option<string[]> Repeated(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>A whole number of at least <paramref name="min"/>; <paramref name="defaultValue"/> when it is not given.</summary>
    public static Option<int> WholeNumber(string name, string helpName, string description, int min, int defaultValue) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseWholeNumber(result, name, min) ?? defaultValue,
    };

    /// <summary>A whole number of at least <paramref name="min"/>; null when it is not given (the library's default).</summary>
    public static Option<int?> OptionalWholeNumber(string name, string helpName, string description, int min) => new(name)
    {
        HelpName = helpName,
        Description = description,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result => ParseWholeNumber(result, name, min),
    };

    /// <summary>An option that takes no value, such as <c>--quiet</c>.</summary>
    public static Option<bool> Flag(string name, string description) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.Zero,
    };

    /// <summary>The last value given.</summary>
    public static string Last(ArgumentResult result) => result.Tokens[^1].Value;

    private static int? ParseWholeNumber(ArgumentResult result, string name, int min)
    {
        string text = Last(result);
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min)
        {
            return value;
        }

        result.AddError($"{name} must be a whole number of at least {min}; got '{text}'");
        return null;
    }
}
