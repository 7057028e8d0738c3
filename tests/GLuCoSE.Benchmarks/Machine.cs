using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.Intrinsics.X86;

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
