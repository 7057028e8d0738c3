using System;
using System.Collections.Generic;
using System.Globalization;

namespace GLuCoSE.Benchmarks;

/// <summary>--name value options.</summary>
internal sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public Args(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                _values[args[i]] = args[++i];
            }
            else
            {
                _flags.Add(args[i]);
            }
        }
    }

    public string Required(string name) => _values.TryGetValue(name, out string? value) ? value : throw new ArgumentException($"{name} is required");

    public string? Optional(string name) => _values.TryGetValue(name, out string? value) ? value : null;

    public bool Flag(string name) => _flags.Contains(name);

    public int Int(string name, int fallback) => _values.TryGetValue(name, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The option's value, or null (the library's default) when it is not given.</summary>
    public int? OptionalInt(string name) => _values.TryGetValue(name, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    public int[] Ints(string name, int[] fallback) =>
        _values.TryGetValue(name, out string? value) ? Array.ConvertAll(value.Split(','), s => int.Parse(s, CultureInfo.InvariantCulture)) : fallback;

    public string[] List(string name, string[] fallback) => _values.TryGetValue(name, out string? value) ? value.Split(',') : fallback;

    /// <summary>A batching policy written BS:TOKENS (batch size, token budget), as --policies and --also-batched take it.</summary>
    public static (int BatchSize, int MaxBatchTokens) Policy(string text)
    {
        string[] parts = text.Split(':');
        return parts.Length == 2
            ? (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture))
            : throw new ArgumentException($"'{text}' is not a batching policy: write BATCH_SIZE:TOKEN_BUDGET, e.g. 128:1024.");
    }

    /// <summary>Gets the graph file of a variant: <c>fp32</c> (model.onnx), <c>int8</c> (model_int8.onnx), or a file name.</summary>
    public static string GraphFile(string? variant) => variant switch
    {
        null or "fp32" => "model.onnx",
        "int8" => "model_int8.onnx",
        _ => variant,
    };
}
