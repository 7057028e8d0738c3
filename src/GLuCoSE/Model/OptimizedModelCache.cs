using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace GLuCoSE.Model;

/// <summary>
/// A folder of graphs that ONNX Runtime has already optimized (<see cref="SessionOptions.OptimizedModelFilePath"/>):
/// a later load reads the optimized graph and skips the graph optimizations.
/// </summary>
/// <remarks>
/// <para>An entry is named after the model file and a hash of everything that makes the optimized graph valid: the model
/// file and its external-data files (full path, size, last write time), the ONNX Runtime version, the process
/// architecture and the CPU's vector instruction sets (ONNX Runtime's full optimization level may write
/// hardware-specific nodes). Change any of them and the old entry is simply not used again.</para>
/// <para>An entry is written to a temporary name and then renamed, so a reader never sees half a file; two processes
/// filling the same entry at once both succeed. An entry ONNX Runtime cannot load is deleted and written again;
/// temporary files older than a day (a writer that died) are deleted. A folder that cannot be written to costs the
/// speed-up only: the model loads as it would without a cache.</para>
/// </remarks>
internal static partial class OptimizedModelCache
{
    private const char FormatVersion = '1';
    private const string DataSuffix = ".data";
    private const string TemporarySuffix = ".tmp";

    // A writer that died between saving and renaming leaves its files; after a day no writer can still own them.
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromDays(1);

    /// <summary>Gets the entry's path for <paramref name="modelPath"/> in <paramref name="cacheDirectory"/>.</summary>
    public static string EntryPath(string cacheDirectory, string modelPath)
    {
        string fullPath = Path.GetFullPath(modelPath);
        var key = new StringBuilder();
        key.Append(FormatVersion).Append('\n')
            .Append(OrtEnv.Instance().GetVersionString()).Append('\n')
            .Append(RuntimeInformation.ProcessArchitecture).Append('\n')
            .Append(InstructionSets()).Append('\n')
            .Append(fullPath).Append('\n');

        // The graph and its external data (model.onnx.data, model.onnx_data, ...): all files named after the graph.
        string directory = Path.GetDirectoryName(fullPath) ?? ".";
        string[] files = Directory.GetFiles(directory, Path.GetFileName(fullPath) + "*");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (string file in files)
        {
            var info = new FileInfo(file);
            key.Append(info.Name).Append(' ')
                .Append(info.Length.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString()));
        string name = $"{Path.GetFileNameWithoutExtension(fullPath)}-{Convert.ToHexString(hash, 0, 8).ToLowerInvariant()}.onnx";
        return Path.Combine(cacheDirectory, name);
    }

    /// <summary>
    /// Opens a session on the cached optimized graph of <paramref name="modelPath"/>, or, when there is none yet, on the
    /// model itself while writing the optimized graph to the cache.
    /// </summary>
    /// <returns>The session, and whether it came from the cache.</returns>
    public static (InferenceSession Session, bool FromCache) Open(string cacheDirectory, string modelPath, Func<SessionOptions> createOptions)
    {
        string entry = EntryPath(cacheDirectory, modelPath);
        if (File.Exists(entry))
        {
            using SessionOptions options = createOptions();

            // The graph is optimized already; running the optimizers again would find nothing left to do.
            options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
            try
            {
                return (new InferenceSession(entry, options), true);
            }
            catch (OnnxRuntimeException)
            {
                // A damaged entry (a disk filled up, a file deleted by hand): write it again below.
                Discard(entry);
            }
        }

        string temporary = $"{entry}.{Environment.ProcessId}-{Guid.NewGuid():N}{TemporarySuffix}";
        bool written = false;
        try
        {
            Directory.CreateDirectory(cacheDirectory);
            DeleteAbandonedFiles(cacheDirectory);
            InferenceSession session;
            using (SessionOptions options = createOptions())
            {
                options.OptimizedModelFilePath = temporary;

                // ONNX Runtime warns on the console that an optimized graph may hold hardware-specific nodes; the entry's
                // key holds the CPU's instruction sets for that reason, so the warning tells the user nothing.
                options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;

                // The weights go to a data file beside the entry (a graph saved without this keeps pointing at the
                // model's own external-data file by a relative path, which the cache folder does not have). The data
                // file's name is unique to this writer, so two processes filling one entry never write the same file.
                options.AddSessionConfigEntry("session.optimized_model_external_initializers_file_name", Path.GetFileName(DataFileOf(temporary)));
                options.AddSessionConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
                try
                {
                    session = new InferenceSession(modelPath, options);
                }
                catch (OnnxRuntimeException) when (!File.Exists(temporary))
                {
                    // Either the model is bad (the caller's plain load will say so) or the entry could not be written.
                    return (OpenPlain(modelPath, createOptions), false);
                }
            }

            try
            {
                File.Move(temporary, entry, overwrite: false);
                written = true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another process wrote the entry first (the same graph), or the rename is not allowed: the session is
                // good either way, and our files are deleted below.
            }

            return (session, false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The folder cannot be made or written: load without the cache.
            return (OpenPlain(modelPath, createOptions), false);
        }
        finally
        {
            if (!written)
            {
                TryDelete(temporary);
                TryDelete(DataFileOf(temporary));
            }
        }
    }

    /// <summary>
    /// Returns the cached optimized graph of <paramref name="modelPath"/>, writing it first when there is none (Entry
    /// null when it cannot be written), and whether it was there before. An existing entry is not opened here: the
    /// caller's load tells whether it is sound (see <see cref="Discard"/>).
    /// </summary>
    public static (string? Entry, bool Existed) EnsureEntry(string cacheDirectory, string modelPath, Func<SessionOptions> createOptions)
    {
        string entry = EntryPath(cacheDirectory, modelPath);
        if (File.Exists(entry))
        {
            return (entry, true);
        }

        if (!CanWrite(cacheDirectory))
        {
            // Writing the entry would load the model once for nothing (a read-only file system, say).
            return (null, false);
        }

        (InferenceSession session, _) = Open(cacheDirectory, modelPath, createOptions);
        session.Dispose();
        ReleaseFreedHeap();
        return (File.Exists(entry) ? entry : null, false);
    }

    private static bool CanWrite(string cacheDirectory)
    {
        try
        {
            Directory.CreateDirectory(cacheDirectory);
            using (new FileStream(Path.Combine(cacheDirectory, $".write-probe-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // The session that wrote the entry held a plain copy of the weights; glibc keeps most of that freed memory in the
    // process (fp32 GLuCoSE: about 300 MiB more resident for the life of the process, `memory --cache DIR`) unless asked to give it back.
    private static void ReleaseFreedHeap()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = NativeMethods.malloc_trim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): nothing to ask.
        }
    }

    /// <summary>Deletes an entry that ONNX Runtime could not load, with its weights, so that the next load writes it again.</summary>
    public static void Discard(string entry)
    {
        TryDelete(entry);
        string directory = Path.GetDirectoryName(entry) ?? ".";
        foreach (string data in Directory.GetFiles(directory, Path.GetFileName(entry) + ".*" + DataSuffix))
        {
            TryDelete(data);
        }
    }

    // A writer's weights file: "model-<key>.onnx.<writer>.data" beside its "model-<key>.onnx.<writer>.tmp". The name
    // stays after the rename (the entry refers to it), so only the ".tmp" marks a writer that never finished.
    private static string DataFileOf(string temporary) => Path.ChangeExtension(temporary, DataSuffix);

    private static void DeleteAbandonedFiles(string cacheDirectory)
    {
        DateTime cutoff = DateTime.UtcNow - AbandonedAfter;
        foreach (string temporary in Directory.GetFiles(cacheDirectory, "*" + TemporarySuffix))
        {
            if (File.GetLastWriteTimeUtc(temporary) < cutoff)
            {
                TryDelete(temporary);
                TryDelete(DataFileOf(temporary));
            }
        }
    }

    private static InferenceSession OpenPlain(string modelPath, Func<SessionOptions> createOptions)
    {
        using SessionOptions options = createOptions();
        return new InferenceSession(modelPath, options);
    }

    private static string InstructionSets()
    {
        var sets = new StringBuilder();
        if (Avx2.IsSupported)
        {
            sets.Append("avx2 ");
        }

        if (Avx512F.IsSupported)
        {
            sets.Append("avx512f ");
        }

        if (Avx512BW.IsSupported)
        {
            sets.Append("avx512bw ");
        }

#if NET9_0_OR_GREATER
        // A preview API on .NET 8.
        if (AvxVnni.IsSupported)
        {
            sets.Append("avxvnni ");
        }
#endif

        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
        {
            sets.Append("advsimd ");
        }

        if (System.Runtime.Intrinsics.Arm.Dp.IsSupported)
        {
            sets.Append("dotprod ");
        }

        return sets.ToString();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next load to overwrite.
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc")]
        public static partial int malloc_trim(nuint pad);
    }
}
