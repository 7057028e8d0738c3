using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using GLuCoSE.Optimization.Onnx;
using Google.Protobuf;

namespace GLuCoSE.Optimization;

/// <summary>
/// An ONNX model read with protobuf's own parser: the graph and the small tensors in memory, and the bytes of each
/// weight read on demand, from the graph file (<c>raw_data</c>) or from its external-data file.
/// </summary>
internal sealed class OnnxModelFile
{
    private OnnxModelFile(string path, ModelProto model)
    {
        Path = path;
        Directory = System.IO.Path.GetDirectoryName(path) ?? ".";
        Model = model;
    }

    /// <summary>Gets the full path of the graph file.</summary>
    public string Path { get; }

    /// <summary>Gets the folder that external-data locations are relative to.</summary>
    public string Directory { get; }

    /// <summary>Gets the model. Weights kept in <c>raw_data</c> are in it; external ones are read with <see cref="ReadBytes"/>.</summary>
    public ModelProto Model { get; }

    /// <summary>Reads an ONNX graph file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static OnnxModelFile Load(string path)
    {
        string fullPath = System.IO.Path.GetFullPath(path);
        ModelProto model;
        using (var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
        {
            try
            {
                model = ModelProto.Parser.ParseFrom(stream);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new InvalidDataException($"'{fullPath}' is not an ONNX model: {ex.Message}", ex);
            }
        }

        if (model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new InvalidDataException($"'{fullPath}' is not an ONNX model: it has no graph.");
        }

        return new OnnxModelFile(fullPath, model);
    }

    /// <summary>Gets the number of bytes of a tensor's data (raw or external), or 0 for data in typed fields.</summary>
    public static long DataLength(TensorProto tensor)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            return ExternalRange(tensor).Length;
        }

        return tensor.RawData.Length;
    }

    /// <summary>
    /// Gets a tensor's bytes (little-endian elements), wherever they are stored: the graph's own <c>raw_data</c> (not
    /// copied), or read from the external-data file.
    /// </summary>
    /// <exception cref="InvalidDataException">The tensor's external data is missing, outside the model's folder, or short.</exception>
    public ReadOnlyMemory<byte> ReadBytes(TensorProto tensor)
    {
        if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
        {
            if (!tensor.RawData.IsEmpty)
            {
                return tensor.RawData.Memory;
            }

            if (tensor.DataType == (int)TensorProto.Types.DataType.Float)
            {
                return MemoryMarshal.AsBytes(ToArray(tensor.FloatData).AsSpan()).ToArray();
            }

            throw new InvalidDataException($"Tensor '{tensor.Name}' of '{Path}' keeps its values in a typed field this tool does not read.");
        }

        (string location, long offset, long length) = ExternalRange(tensor);
        if (System.IO.Path.IsPathRooted(location) || location.Contains("..", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' of '{Path}' names external data '{location}' outside the model's folder.");
        }

        string file = System.IO.Path.Combine(Directory, location);
        if (length > Array.MaxLength)
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' of '{Path}' is larger than this tool can read ({length} bytes).");
        }

        var bytes = new byte[length];
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            if (offset > stream.Length || length > stream.Length - offset)
            {
                throw new InvalidDataException(
                    $"Tensor '{tensor.Name}' of '{Path}' lies past the end of '{file}' ({length} bytes at offset {offset}, of {stream.Length}).");
            }

            stream.Position = offset;
            stream.ReadExactly(bytes);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' of '{Path}' keeps its data in '{file}', which is missing.", ex);
        }

        return bytes;
    }

    /// <summary>Reads a float tensor's values (the graph's own bytes where it keeps them, not copied).</summary>
    /// <exception cref="InvalidDataException">The tensor is not float, or its data cannot be read.</exception>
    public ReadOnlyMemory<byte> ReadFloatBytes(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' of '{Path}' is not float.");
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX weights are little-endian; this machine is not.");
        }

        ReadOnlyMemory<byte> bytes = ReadBytes(tensor);
        return bytes.Length % sizeof(float) == 0
            ? bytes
            : throw new InvalidDataException($"Tensor '{tensor.Name}' of '{Path}' has {bytes.Length} bytes, not a whole number of floats.");
    }

    private static float[] ToArray(Google.Protobuf.Collections.RepeatedField<float> list)
    {
        var values = new float[list.Count];
        list.CopyTo(values, 0);
        return values;
    }

    internal static (string Location, long Offset, long Length) ExternalRange(TensorProto tensor)
    {
        string? location = null;
        long offset = 0;
        long length = -1;
        foreach (StringStringEntryProto entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location":
                    location = entry.Value;
                    break;
                case "offset":
                    offset = ParseLong(tensor, entry);
                    break;
                case "length":
                    length = ParseLong(tensor, entry);
                    break;
            }
        }

        if (location is null)
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' is marked external but names no location.");
        }

        if (length < 0)
        {
            length = ElementCount(tensor) * ElementSize(tensor);
        }

        return (location, offset, length);
    }

    private static long ParseLong(TensorProto tensor, StringStringEntryProto entry) =>
        long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new InvalidDataException($"Tensor '{tensor.Name}' has external-data {entry.Key} '{entry.Value}', not a number.");

    /// <summary>Gets the number of elements of a tensor's shape.</summary>
    public static long ElementCount(TensorProto tensor)
    {
        long count = 1;
        foreach (long dim in tensor.Dims)
        {
            count = checked(count * dim);
        }

        return count;
    }

    private static long ElementSize(TensorProto tensor) => (TensorProto.Types.DataType)tensor.DataType switch
    {
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
        TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 or TensorProto.Types.DataType.Double => 8,
        TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 => 2,
        _ => 1,
    };
}
