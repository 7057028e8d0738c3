using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace GLuCoSE.Search;

/// <summary>The dot product of two int8 vectors in 32-bit integers, with SIMD widening.</summary>
internal static class Int8Dot
{
    public static int Compute(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        int i = 0;
        int sum = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<sbyte>.Count)
        {
            var accumulator = Vector<int>.Zero;
            ReadOnlySpan<Vector<sbyte>> va = MemoryMarshal.Cast<sbyte, Vector<sbyte>>(a);
            ReadOnlySpan<Vector<sbyte>> vb = MemoryMarshal.Cast<sbyte, Vector<sbyte>>(b);
            for (int v = 0; v < va.Length; v++)
            {
                Vector.Widen(va[v], out Vector<short> aLow, out Vector<short> aHigh);
                Vector.Widen(vb[v], out Vector<short> bLow, out Vector<short> bHigh);

                // Codes are in [-127, 127], so each product (at most 16129) fits a short; widen before adding.
                Vector.Widen(aLow * bLow, out Vector<int> p0, out Vector<int> p1);
                Vector.Widen(aHigh * bHigh, out Vector<int> p2, out Vector<int> p3);
                accumulator += (p0 + p1) + (p2 + p3);
            }

            sum = Vector.Sum(accumulator);
            i = va.Length * Vector<sbyte>.Count;
        }

        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
