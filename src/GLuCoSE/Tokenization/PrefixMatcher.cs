using System;
using System.Collections.Generic;
using System.Text;

namespace GLuCoSE.Tokenization;

/// <summary>Longest-prefix matching of a model's user-defined symbols over UTF-8 (SentencePiece's <c>PrefixMatcher</c>).</summary>
internal sealed class PrefixMatcher
{
    private readonly byte[][] _symbols;
    private readonly string[] _strings;

    private PrefixMatcher(string[] strings)
    {
        _strings = strings;
        _symbols = Array.ConvertAll(strings, Encoding.UTF8.GetBytes);
    }

    /// <summary>Returns a matcher for the given symbols, or null when there are none.</summary>
    public static PrefixMatcher? Create(IEnumerable<string> symbols)
    {
        var list = new List<string>();
        foreach (string symbol in symbols)
        {
            if (symbol.Length != 0)
            {
                list.Add(symbol);
            }
        }

        return list.Count == 0 ? null : new PrefixMatcher(list.ToArray());
    }

    /// <summary>The byte length of the longest symbol <paramref name="input"/> starts with, or 0.</summary>
    public int LongestPrefix(ReadOnlySpan<byte> input)
    {
        int longest = 0;
        foreach (byte[] symbol in _symbols)
        {
            if (symbol.Length > longest && input.StartsWith(symbol))
            {
                longest = symbol.Length;
            }
        }

        return longest;
    }

    /// <summary>The UTF-16 length of the longest symbol <paramref name="input"/> starts with, or 0.</summary>
    public int LongestPrefix(ReadOnlySpan<char> input)
    {
        int longest = 0;
        foreach (string symbol in _strings)
        {
            if (symbol.Length > longest && input.StartsWith(symbol, StringComparison.Ordinal))
            {
                longest = symbol.Length;
            }
        }

        return longest;
    }
}
