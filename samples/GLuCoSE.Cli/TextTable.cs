using System.Globalization;
using System.Text;

namespace GLuCoSE.Cli;

/// <summary>Pads and cuts text by display width: East Asian wide characters take two columns.</summary>
internal static class TextTable
{
    /// <summary>The text in exactly <paramref name="width"/> columns: padded, or cut with an ellipsis.</summary>
    public static string Fit(string text, int width)
    {
        string[] elements = Elements(text.ReplaceLineEndings(" "));
        int total = elements.Sum(Width);
        var result = new StringBuilder();
        int used = 0;
        int budget = total <= width ? width : width - 1;
        foreach (string element in elements)
        {
            int w = Width(element);
            if (used + w > budget)
            {
                break;
            }

            result.Append(element);
            used += w;
        }

        if (total > width)
        {
            result.Append('…');
            used++;
        }

        return result.Append(' ', Math.Max(0, width - used)).ToString();
    }

    private static string[] Elements(string text)
    {
        var elements = new List<string>();
        TextElementEnumerator enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext())
        {
            elements.Add(enumerator.GetTextElement());
        }

        return elements.ToArray();
    }

    private static int Width(string element)
    {
        int c = char.IsSurrogate(element[0]) && !char.IsSurrogatePair(element, 0) ? 0xFFFD : char.ConvertToUtf32(element, 0);
        bool wide = c is >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0xA4CF or >= 0xAC00 and <= 0xD7A3 or >= 0xF900 and <= 0xFAFF
            or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6 or >= 0x1F300 and <= 0x1FAFF or >= 0x20000 and <= 0x3FFFD;
        return wide ? 2 : 1;
    }
}
