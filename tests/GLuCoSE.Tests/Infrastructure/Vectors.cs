using System;
using Xunit;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>Assertions on embedding vectors.</summary>
internal static class Vectors
{
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance = 1e-5f, string? what = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > tolerance)
            {
                Assert.Fail($"{what ?? "vector"}[{i}]: expected {expected[i]}, actual {actual[i]} (tolerance {tolerance}).");
            }
        }
    }
}
