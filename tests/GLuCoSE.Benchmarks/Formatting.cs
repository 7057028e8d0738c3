using System;
using System.Globalization;

namespace GLuCoSE.Benchmarks;

internal static class Formatting
{
    /// <summary>
    /// A change as a signed percentage, one decimal: "+4.9%", "-3.2%", "+0.0%". (The format "+0.0%;-0.0%" prints a
    /// small negative change that rounds to zero as "-+0.0%".)
    /// </summary>
    public static string SignedPercent(double change)
    {
        double rounded = Math.Round(change, 3, MidpointRounding.AwayFromZero);
        return (rounded < 0 ? "-" : "+") + Math.Abs(rounded).ToString("0.0%", CultureInfo.InvariantCulture);
    }
}
