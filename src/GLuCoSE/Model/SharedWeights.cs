using System;
using System.Collections.Generic;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace GLuCoSE.Model;

/// <summary>
/// The large weights of one ONNX graph, memory-mapped from its files and handed to every session of the graph as
/// shared initializers, with one container for the weights ONNX Runtime pre-packs: a second session of the same
/// graph then costs its activations, not another copy of the weights.
/// </summary>
/// <remarks>
/// <para>ONNX Runtime shares pre-packed weights between sessions only for initializers added with
/// <see cref="SessionOptions.AddInitializer"/> (the keys are the initializers' bytes), so the weights come from here
/// instead of from the graph. They are mapped read-only from the files: after the sessions have pre-packed them, the
/// pages are dropped from the process's resident set (<see cref="Trim"/>); the few read later (embedding rows) come
/// back from the page cache.</para>
/// <para>A tensor whose bytes are not aligned to its element size in the file (as in graphs that keep <c>raw_data</c>
/// inside the graph file, such as the public opset-11 export of GLuCoSE-base-ja) cannot be read in place: it is copied
/// once into aligned memory that every session shares. Such weights then stay resident (they cannot be trimmed);
/// nothing is written to disk. <see cref="SharedFraction"/> says how much of the weights are shared.</para>
/// <para>Dispose after every session that uses it.</para>
/// </remarks>
internal sealed partial class SharedWeights : IDisposable
{
    private readonly List<Mapping> _mappings = [];
    private readonly List<AlignedCopy> _copies = [];
    private readonly List<(string Name, OrtValue Value)> _values = [];
    private bool _disposed;

    private SharedWeights()
    {
    }

    /// <summary>Gets the container that holds the pre-packed weights of every session using these weights.</summary>
    public PrePackedWeightsContainer Container { get; } = new();

    /// <summary>Gets the share of the large weights' bytes that are shared (0 to 1).</summary>
    public double SharedFraction { get; private set; }

    /// <summary>Gets the bytes shared.</summary>
    public long SharedBytes { get; private set; }

    /// <summary>Maps the initializers of <paramref name="modelPath"/> of at least <paramref name="minBytes"/> bytes.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ONNX protobuf, or a weight lies outside its file.</exception>
    public static SharedWeights Map(string modelPath, long minBytes = 64 * 1024)
    {
        var weights = new SharedWeights();
        try
        {
            weights.MapAll(OnnxInitializers.Read(modelPath, minBytes));
            return weights;
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>Adds the shared weights to <paramref name="options"/>; open the session with <see cref="Container"/>.</summary>
    public void AddTo(SessionOptions options)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach ((string name, OrtValue value) in _values)
        {
            options.AddInitializer(name, value);
        }
    }

    /// <summary>
    /// Drops the mapped pages from the process's resident set once the sessions exist (they hold pre-packed copies of
    /// the matrices); pages read later come back from the page cache. Only the resident set changes, never the data.
    /// </summary>
    public void Trim()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (Mapping mapping in _mappings)
        {
            mapping.Trim();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach ((_, OrtValue value) in _values)
        {
            value.Dispose();
        }

        foreach (Mapping mapping in _mappings)
        {
            mapping.Dispose();
        }

        foreach (AlignedCopy copy in _copies)
        {
            copy.Dispose();
        }

        Container.Dispose();
    }

    private void MapAll(List<OnnxInitializer> initializers)
    {
        var mappings = new Dictionary<string, Mapping>(StringComparer.Ordinal);
        long total = 0;
        long shared = 0;
        foreach (OnnxInitializer initializer in initializers)
        {
            total += initializer.Length;
            if (!IsAligned(initializer))
            {
                var copy = new AlignedCopy(initializer);
                _copies.Add(copy);
                _values.Add((initializer.Name, OrtValue.CreateTensorValueWithData(
                    OrtMemoryInfo.DefaultInstance, initializer.ElementType, initializer.Dimensions, copy.Pointer, initializer.Length)));
                shared += initializer.Length;
                continue;
            }

            if (!mappings.TryGetValue(initializer.File, out Mapping? mapping))
            {
                mapping = new Mapping(initializer.File);
                mappings.Add(initializer.File, mapping);
                _mappings.Add(mapping);
            }

            if (initializer.Offset < 0 || initializer.Offset + initializer.Length > mapping.Length)
            {
                throw new InvalidDataException(
                    $"Weight '{initializer.Name}' lies at bytes {initializer.Offset}..{initializer.Offset + initializer.Length} of '{initializer.File}', " +
                    $"which has {mapping.Length} bytes.");
            }

            OrtValue value = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, initializer.ElementType, initializer.Dimensions, mapping.Pointer + (nint)initializer.Offset, initializer.Length);
            _values.Add((initializer.Name, value));
            shared += initializer.Length;
        }

        SharedBytes = shared;
        SharedFraction = total == 0 ? 0 : (double)shared / total;
    }

    // Whether the tensor's bytes start at a multiple of its element size, so that they can be read in place.
    private static bool IsAligned(OnnxInitializer initializer)
    {
        int elementSize = (int)(initializer.Length / Math.Max(1, Count(initializer.Dimensions)));
        return elementSize != 0 && initializer.Offset % elementSize == 0;
    }

    private static long Count(long[] dimensions)
    {
        long count = 1;
        foreach (long dimension in dimensions)
        {
            count *= dimension;
        }

        return count;
    }

    /// <summary>The bytes of one tensor copied from its file into native memory aligned for any element type.</summary>
    private sealed unsafe class AlignedCopy : IDisposable
    {
        private void* _memory;

        public AlignedCopy(OnnxInitializer initializer)
        {
            using var stream = new FileStream(initializer.File, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            if (initializer.Offset < 0 || initializer.Offset + initializer.Length > stream.Length)
            {
                throw new InvalidDataException(
                    $"Weight '{initializer.Name}' lies at bytes {initializer.Offset}..{initializer.Offset + initializer.Length} of '{initializer.File}', " +
                    $"which has {stream.Length} bytes.");
            }

            _memory = NativeMemory.AlignedAlloc((nuint)Math.Max(1, initializer.Length), 64);
            try
            {
                long done = 0;
                while (done < initializer.Length)
                {
                    int chunk = (int)Math.Min(int.MaxValue / 2, initializer.Length - done);
                    int read = RandomAccess.Read(stream.SafeFileHandle, new Span<byte>((byte*)_memory + done, chunk), initializer.Offset + done);
                    if (read == 0)
                    {
                        throw new InvalidDataException($"'{initializer.File}' ended inside weight '{initializer.Name}'.");
                    }

                    done += read;
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public nint Pointer => (nint)_memory;

        public void Dispose()
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
        }
    }

    /// <summary>A whole file mapped read-only.</summary>
    private sealed unsafe class Mapping : IDisposable
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;
        private readonly byte* _pointer;

        public Mapping(string path)
        {
            // Others may still read the file, and rename or delete it (a replaced file's old data stays mapped), as
            // with ONNX Runtime's own mapping of external data.
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            try
            {
                if (stream.Length == 0)
                {
                    // An empty file cannot be mapped (CreateFromFile would throw ArgumentException): a damaged file.
                    throw new InvalidDataException($"The weights file '{path}' is empty.");
                }

                _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            }
            catch
            {
                stream.Dispose();
                throw;
            }

            try
            {
                _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                Length = stream.Length;
                byte* pointer = null;
                _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
                _pointer = pointer + _view.PointerOffset;
            }
            catch
            {
                _view?.Dispose();
                _file.Dispose();
                throw;
            }
        }

        public long Length { get; }

        public nint Pointer => (nint)_pointer;

        public void Trim()
        {
            // The view starts on a page boundary (offset 0 of the file); its length need not be a whole page.
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
            {
                _ = NativeMethods.madvise(_pointer, (nuint)Length, NativeMethods.MadviseDontNeed);
            }
            else if (OperatingSystem.IsWindows())
            {
                // Unlocking pages that are not locked removes them from the working set (documented behaviour).
                _ = NativeMethods.VirtualUnlock(_pointer, (nuint)Length);
            }
        }

        public void Dispose()
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
        }
    }

    private static unsafe partial class NativeMethods
    {
        // MADV_DONTNEED is 4 on Linux, macOS and FreeBSD. On a read-only file mapping it only drops the pages.
        public const int MadviseDontNeed = 4;

        [LibraryImport("libc", SetLastError = true)]
        public static partial int madvise(void* address, nuint length, int advice);

        [LibraryImport("kernel32", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static partial bool VirtualUnlock(void* address, nuint size);
    }
}
