using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading.Tasks;

namespace GLuCoSE.Benchmarks;

/// <summary>What this machine is and what it can do: memory readings and a peak FLOP estimate.</summary>
internal static class Machine
{
    /// <summary>Resident set size now, in MiB (Linux: /proc/self/status VmRSS; elsewhere the working set).</summary>
    public static double RssMiB() => ReadStatus("VmRSS:") ?? Process.GetCurrentProcess().WorkingSet64 / 1048576.0;

    /// <summary>Peak resident set size, in MiB (Linux: VmHWM; elsewhere the peak working set).</summary>
    public static double PeakRssMiB() => ReadStatus("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

    /// <summary>Open handles (Linux: /proc/self/fd entries; elsewhere the process handle count).</summary>
    public static int HandleCount() =>
        Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : Process.GetCurrentProcess().HandleCount;

    /// <summary>The nominal clock in GHz from /proc/cpuinfo, or null.</summary>
    public static double? ClockGHz()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            return null;
        }

        foreach (string line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("cpu MHz", StringComparison.Ordinal))
            {
                return double.Parse(line[(line.IndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture) / 1000;
            }
        }

        return null;
    }

    /// <summary>
    /// The all-core clock in GHz, measured: every core runs a chain of dependent integer adds (one cycle each), so adds
    /// per second is cycles per second. Catches turbo clocks that /proc/cpuinfo's nominal figure misses.
    /// </summary>
    public static double MeasuredClockGHz()
    {
        const long Iterations = 50_000_000;
        var rates = new double[Environment.ProcessorCount];
        Parallel.For(0, rates.Length, new ParallelOptions { MaxDegreeOfParallelism = rates.Length }, core =>
        {
            AddChain(1_000_000);
            long start = Stopwatch.GetTimestamp();
            long sink = AddChain(Iterations);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            rates[core] = Iterations * 16 / seconds / 1e9 + (sink == 42 ? 1e-12 : 0);
        });
        Array.Sort(rates);
        return rates[0];
    }

    /// <summary>fp32 GFLOP/s measured with AVX-512 (or AVX2) FMAs on every core at once: the best any kernel could do.</summary>
    public static double MeasuredFmaGflops()
    {
        const long Iterations = 20_000_000;
        var rates = new double[Environment.ProcessorCount];
        Parallel.For(0, rates.Length, new ParallelOptions { MaxDegreeOfParallelism = rates.Length }, core =>
        {
            FmaLoop(100_000);
            long start = Stopwatch.GetTimestamp();
            float sink = FmaLoop(Iterations);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            int lanes = Avx512F.IsSupported ? 16 : 8;
            rates[core] = Iterations * 12.0 * lanes * 2 / seconds / 1e9 + (sink == 42 ? 1e-12 : 0);
        });
        double total = 0;
        foreach (double rate in rates)
        {
            total += rate;
        }

        return total;
    }

    /// <summary>
    /// Memory read bandwidth in GB/s: every core sums its share of a 400 MB array (larger than any cache), best of five.
    /// What a model run pays to stream weights it cannot keep in cache.
    /// </summary>
    public static double MeasuredReadBandwidthGBs()
    {
        const int Length = 100 * 1024 * 1024;
        float[] data = GC.AllocateUninitializedArray<float>(Length);
        Array.Fill(data, 1f);
        int cores = Environment.ProcessorCount;
        int share = Length / cores;
        double best = 0;
        for (int rep = 0; rep < 5; rep++)
        {
            var sums = new float[cores];
            long start = Stopwatch.GetTimestamp();
            Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, core =>
                sums[core] = System.Numerics.Tensors.TensorPrimitives.Sum<float>(data.AsSpan(core * share, share)));
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, (double)share * cores * sizeof(float) / seconds / 1e9);
        }

        return best;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static long AddChain(long iterations)
    {
        long a = 1, b = 2;
        for (long i = 0; i < iterations; i++)
        {
            a += b; b += a; a += b; b += a; a += b; b += a; a += b; b += a;
            a += b; b += a; a += b; b += a; a += b; b += a; a += b; b += a;
        }

        return a + b;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float FmaLoop(long iterations)
    {
        if (Avx512F.IsSupported)
        {
            Vector512<float> m = Vector512.Create(0.999999f), c = Vector512.Create(1e-7f);
            Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c); a2 = Avx512F.FusedMultiplyAdd(a2, m, c);
                a3 = Avx512F.FusedMultiplyAdd(a3, m, c); a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
                a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c); a8 = Avx512F.FusedMultiplyAdd(a8, m, c);
                a9 = Avx512F.FusedMultiplyAdd(a9, m, c); a10 = Avx512F.FusedMultiplyAdd(a10, m, c); a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
            }

            return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
        }

        Vector256<float> n = Vector256.Create(0.999999f), d = Vector256.Create(1e-7f);
        Vector256<float> b0 = Vector256.Create(1f), b1 = b0, b2 = b0, b3 = b0, b4 = b0, b5 = b0, b6 = b0, b7 = b0, b8 = b0, b9 = b0, b10 = b0, b11 = b0;
        for (long i = 0; i < iterations; i++)
        {
            b0 = Fma.MultiplyAdd(b0, n, d); b1 = Fma.MultiplyAdd(b1, n, d); b2 = Fma.MultiplyAdd(b2, n, d);
            b3 = Fma.MultiplyAdd(b3, n, d); b4 = Fma.MultiplyAdd(b4, n, d); b5 = Fma.MultiplyAdd(b5, n, d);
            b6 = Fma.MultiplyAdd(b6, n, d); b7 = Fma.MultiplyAdd(b7, n, d); b8 = Fma.MultiplyAdd(b8, n, d);
            b9 = Fma.MultiplyAdd(b9, n, d); b10 = Fma.MultiplyAdd(b10, n, d); b11 = Fma.MultiplyAdd(b11, n, d);
        }

        return (b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11).ToScalar();
    }

    /// <summary>fp32 FLOPs per core per cycle: 2 FMA units × lanes × 2 (multiply and add).</summary>
    public static int FlopsPerCycle => 2 * (Avx512F.IsSupported ? 16 : Avx2.IsSupported ? 8 : 4) * 2;

    /// <summary>Peak fp32 GFLOP/s estimate: cores × clock × FLOPs per cycle.</summary>
    public static double? PeakGflops(int cores) => ClockGHz() is double ghz ? cores * ghz * FlopsPerCycle : null;

    public static string Describe() =>
        $"{Environment.ProcessorCount} logical cores, {(Avx512F.IsSupported ? "AVX-512" : Avx2.IsSupported ? "AVX2" : "SSE")}" +
        $"{(AvxVnni.IsSupported ? " VNNI" : string.Empty)}, clock {ClockGHz()?.ToString("F2") ?? "?"} GHz, .NET {Environment.Version}";

    private static double? ReadStatus(string key)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return null;
        }

        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                string[] parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) / 1024;
            }
        }

        return null;
    }
}
