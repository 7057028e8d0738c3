using System;
using System.Diagnostics;
using GLuCoSE.Execution;

namespace GLuCoSE.Benchmarks;

/// <summary>Runs of a model session on random token ids of a given shape: what a shape costs, without the tokenizer.</summary>
internal static class SyntheticRuns
{
    /// <summary>Runs one random [batch, sequence] batch <paramref name="reps"/> times in a row; returns the median in ms.</summary>
    public static double MedianRunMs(OnnxEncoder encoder, int batch, int sequence, int reps, Random random)
    {
        var sequences = new int[batch][];
        for (int b = 0; b < batch; b++)
        {
            sequences[b] = new int[sequence];
            for (int t = 0; t < sequence; t++)
            {
                sequences[b][t] = random.Next(5, 30000);
            }
        }

        var times = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            encoder.Run(sequences, out _);
            times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[reps / 2];
    }
}
