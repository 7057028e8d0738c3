using System;
using System.Collections.Generic;

namespace GLuCoSE;

/// <summary>The argument checks every public member shares: one helper per rule, one message per fault.</summary>
internal static class Guard
{
    /// <summary>Throws unless <paramref name="text"/> is a string of valid UTF-16 (no unpaired surrogate).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds an unpaired surrogate.</exception>
    public static void ThrowIfInvalidText(string text, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(text, parameterName);
        ThrowIfUnpairedSurrogate(text, parameterName);
    }

    /// <summary>Throws when an element of <paramref name="texts"/> is null or holds an unpaired surrogate, naming its index.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentException">An element is null or not valid UTF-16.</exception>
    public static void ThrowIfInvalidElements(IReadOnlyList<string> texts, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(texts, parameterName);
        for (int i = 0; i < texts.Count; i++)
        {
            ThrowIfInvalidElement(texts[i], i, parameterName);
        }
    }

    /// <summary>Throws when element <paramref name="index"/> of a list or stream is null or holds an unpaired surrogate.</summary>
    public static void ThrowIfInvalidElement(string? text, long index, string parameterName)
    {
        if (text is null)
        {
            throw new ArgumentException($"{parameterName}[{index}] is null.", parameterName);
        }

        ThrowIfUnpairedSurrogate(text, parameterName, index);
    }

    /// <summary>Throws when <paramref name="text"/> holds an unpaired surrogate (it would not be valid Unicode).</summary>
    /// <param name="text">The text.</param>
    /// <param name="parameterName">The argument's name.</param>
    /// <param name="index">The text's index in a list argument; negative for the argument itself.</param>
    public static void ThrowIfUnpairedSurrogate(ReadOnlySpan<char> text, string parameterName, long index = -1)
    {
        int bad = IndexOfUnpairedSurrogate(text);
        if (bad >= 0)
        {
            string what = index >= 0 ? $"{parameterName}[{index}]" : parameterName;
            throw new ArgumentException($"{what} holds an unpaired surrogate (U+{(int)text[bad]:X4}) at index {bad}; it is not valid Unicode.", parameterName);
        }
    }

    /// <summary>Returns the index of the first unpaired surrogate in <paramref name="text"/>, or -1.</summary>
    public static int IndexOfUnpairedSurrogate(ReadOnlySpan<char> text)
    {
        int offset = 0;
        while (true)
        {
            int found = text[offset..].IndexOfAnyInRange('\uD800', '\uDFFF');
            if (found < 0)
            {
                return -1;
            }

            int i = offset + found;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                offset = i + 2;
                continue;
            }

            return i;
        }
    }
}
