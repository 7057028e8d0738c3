using System;

namespace GLuCoSE.Tokenization;

/// <summary>UTF-8 helpers with SentencePiece's exact rules (<c>string_util.cc</c>).</summary>
internal static class Utf8
{
    /// <summary>
    /// The byte length of the well-formed character at the start of <paramref name="s"/>, or 0 where it is malformed
    /// (SentencePiece's <c>IsValidDecodeUTF8</c>: overlong forms, surrogates and code points past U+10FFFF are malformed).
    /// </summary>
    public static int ValidCharLength(ReadOnlySpan<byte> s)
    {
        byte b0 = s[0];
        if (b0 < 0x80)
        {
            return 1;
        }

        if (s.Length >= 2 && (b0 & 0xE0) == 0xC0)
        {
            int cp = ((b0 & 0x1F) << 6) | (s[1] & 0x3F);
            return IsTrail(s[1]) && cp >= 0x80 ? 2 : 0;
        }

        if (s.Length >= 3 && (b0 & 0xF0) == 0xE0)
        {
            int cp = ((b0 & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
            return IsTrail(s[1]) && IsTrail(s[2]) && cp >= 0x800 && IsValidCodePoint(cp) ? 3 : 0;
        }

        if (s.Length >= 4 && (b0 & 0xF8) == 0xF0)
        {
            int cp = ((b0 & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
            return IsTrail(s[1]) && IsTrail(s[2]) && IsTrail(s[3]) && cp >= 0x10000 && IsValidCodePoint(cp) ? 4 : 0;
        }

        return 0;
    }

    /// <summary>SentencePiece's <c>OneCharLen</c>: the length a lead byte announces, capped by what is left.</summary>
    public static int OneCharLength(ReadOnlySpan<byte> s)
    {
        int length = (s[0] >> 4) switch
        {
            < 0xC => 1,
            0xC or 0xD => 2,
            0xE => 3,
            _ => 4,
        };
        return Math.Min(length, s.Length);
    }

    private static bool IsTrail(byte b) => (b & 0xC0) == 0x80;

    private static bool IsValidCodePoint(int cp) => cp < 0xD800 || (cp >= 0xE000 && cp <= 0x10FFFF);
}
