using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GLuCoSE.Model;

/// <summary>Where one weight tensor of an ONNX graph lies on disk: a byte range of the graph file or of its external-data file.</summary>
/// <param name="Name">The initializer's name in the graph.</param>
/// <param name="ElementType">The element type.</param>
/// <param name="Dimensions">The shape.</param>
/// <param name="File">The full path of the file that holds the bytes.</param>
/// <param name="Offset">Where the bytes start in <paramref name="File"/>.</param>
/// <param name="Length">How many bytes.</param>
internal sealed record OnnxInitializer(string Name, TensorElementType ElementType, long[] Dimensions, string File, long Offset, long Length);

/// <summary>
/// Lists the large initializers of an ONNX graph (<c>ModelProto.graph.initializer</c>) with the file range of their
/// bytes, reading only the protobuf framing: the tensors' data is skipped, never loaded.
/// </summary>
/// <remarks>
/// Covers what exporters write for weights: <c>raw_data</c> in the graph file, or <c>data_location = EXTERNAL</c> with
/// <c>location</c>/<c>offset</c>/<c>length</c> entries. Tensors kept in the typed fields (<c>float_data</c>, ...) are
/// small by convention and are not listed.
/// </remarks>
internal static class OnnxInitializers
{
    // Field numbers from onnx.proto.
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorExternalData = 13;
    private const int TensorDataLocation = 14;
    private const int EntryKey = 1;
    private const int EntryValue = 2;

    /// <summary>Reads the initializers of <paramref name="modelPath"/> whose data is at least <paramref name="minBytes"/> long.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ONNX protobuf.</exception>
    public static List<OnnxInitializer> Read(string modelPath, long minBytes)
    {
        string fullPath = Path.GetFullPath(modelPath);
        string directory = Path.GetDirectoryName(fullPath) ?? ".";
        var found = new List<OnnxInitializer>();
        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = new Reader(stream, fullPath);
        long modelEnd = stream.Length;
        while (reader.Position < modelEnd)
        {
            (int field, int wire) = reader.ReadTag();
            if (field == ModelGraph && wire == 2)
            {
                long graphEnd = reader.ReadLength();
                while (reader.Position < graphEnd)
                {
                    (int graphField, int graphWire) = reader.ReadTag();
                    if (graphField == GraphInitializer && graphWire == 2)
                    {
                        long tensorEnd = reader.ReadLength();
                        OnnxInitializer? tensor;
                        try
                        {
                            tensor = ReadTensor(reader, tensorEnd, directory, fullPath);
                        }
                        catch (Exception ex) when (ex is OverflowException or FormatException)
                        {
                            throw new InvalidDataException($"'{fullPath}' is not a valid ONNX file: an initializer's shape or external-data entry is out of range.", ex);
                        }

                        if (tensor is not null && tensor.Length >= minBytes)
                        {
                            found.Add(tensor);
                        }

                        reader.Seek(tensorEnd);
                    }
                    else
                    {
                        reader.Skip(graphWire);
                    }
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return found;
    }

    private static OnnxInitializer? ReadTensor(Reader reader, long end, string directory, string modelPath)
    {
        var dims = new List<long>();
        int dataType = 0;
        string? name = null;
        long rawOffset = -1;
        long rawLength = 0;
        bool external = false;
        string? location = null;
        long offset = 0;
        long length = -1;
        while (reader.Position < end)
        {
            (int field, int wire) = reader.ReadTag();
            switch (field)
            {
                case TensorDims when wire == 0:
                    dims.Add((long)reader.ReadVarint());
                    break;
                case TensorDims when wire == 2:
                    long dimsEnd = reader.ReadLength();
                    while (reader.Position < dimsEnd)
                    {
                        dims.Add((long)reader.ReadVarint());
                    }

                    break;
                case TensorDataType when wire == 0:
                    dataType = (int)reader.ReadVarint();
                    break;
                case TensorName when wire == 2:
                    name = reader.ReadString();
                    break;
                case TensorRawData when wire == 2:
                    rawLength = reader.ReadLength() - reader.Position;
                    rawOffset = reader.Position;
                    reader.Seek(rawOffset + rawLength);
                    break;
                case TensorExternalData when wire == 2:
                    long entryEnd = reader.ReadLength();
                    string? key = null;
                    string? value = null;
                    while (reader.Position < entryEnd)
                    {
                        (int entryField, int entryWire) = reader.ReadTag();
                        if (entryField == EntryKey && entryWire == 2)
                        {
                            key = reader.ReadString();
                        }
                        else if (entryField == EntryValue && entryWire == 2)
                        {
                            value = reader.ReadString();
                        }
                        else
                        {
                            reader.Skip(entryWire);
                        }
                    }

                    switch (key)
                    {
                        case "location":
                            location = value;
                            break;
                        case "offset":
                            offset = long.Parse(value ?? "0", CultureInfo.InvariantCulture);
                            break;
                        case "length":
                            length = long.Parse(value ?? "0", CultureInfo.InvariantCulture);
                            break;
                    }

                    break;
                case TensorDataLocation when wire == 0:
                    external = reader.ReadVarint() == 1;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (name is null || ElementType(dataType) is not (TensorElementType type, int size))
        {
            return null;
        }

        long count = 1;
        foreach (long dim in dims)
        {
            count = checked(count * dim);
        }

        long bytes = checked(count * size);
        if (external)
        {
            if (location is null || Path.IsPathRooted(location) || (length >= 0 && length != bytes))
            {
                return null;
            }

            // As ONNX Runtime requires: external data lies in the graph's folder or below it.
            string file = Path.GetFullPath(Path.Combine(directory, location));
            if (!file.StartsWith(Path.TrimEndingDirectorySeparator(directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return null;
            }

            return new OnnxInitializer(name, type, dims.ToArray(), file, offset, bytes);
        }

        return rawOffset >= 0 && rawLength == bytes ? new OnnxInitializer(name, type, dims.ToArray(), modelPath, rawOffset, bytes) : null;
    }

    // TensorProto.DataType values of the fixed-size types ONNX Runtime stores as plain little-endian arrays.
    private static (TensorElementType Type, int Size)? ElementType(int dataType) => dataType switch
    {
        1 => (TensorElementType.Float, 4),
        2 => (TensorElementType.UInt8, 1),
        3 => (TensorElementType.Int8, 1),
        4 => (TensorElementType.UInt16, 2),
        5 => (TensorElementType.Int16, 2),
        6 => (TensorElementType.Int32, 4),
        7 => (TensorElementType.Int64, 8),
        10 => (TensorElementType.Float16, 2),
        11 => (TensorElementType.Double, 8),
        12 => (TensorElementType.UInt32, 4),
        13 => (TensorElementType.UInt64, 8),
        16 => (TensorElementType.BFloat16, 2),
        _ => null,
    };

    /// <summary>Protobuf wire-format reading over a seekable stream, with positions in the file.</summary>
    private sealed class Reader(Stream stream, string path)
    {
        public long Position => stream.Position;

        public (int Field, int Wire) ReadTag()
        {
            ulong tag = ReadVarint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong ReadVarint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                int b = stream.ReadByte();
                if (b < 0)
                {
                    throw Malformed("the file ends inside a number");
                }

                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            throw Malformed("a number is longer than 10 bytes");
        }

        /// <summary>Reads a length prefix; returns where the field ends.</summary>
        public long ReadLength()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(stream.Length - stream.Position))
            {
                throw Malformed("a field runs past the end of the file");
            }

            return stream.Position + (long)length;
        }

        public string ReadString()
        {
            long end = ReadLength();
            var bytes = new byte[end - stream.Position];
            stream.ReadExactly(bytes);
            return Encoding.UTF8.GetString(bytes);
        }

        public void Seek(long position) => stream.Position = position;

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0:
                    ReadVarint();
                    break;
                case 1:
                    Seek(Checked(stream.Position + 8));
                    break;
                case 2:
                    Seek(ReadLength());
                    break;
                case 5:
                    Seek(Checked(stream.Position + 4));
                    break;
                default:
                    throw Malformed($"wire type {wire} is not used by ONNX");
            }
        }

        private long Checked(long position) => position <= stream.Length ? position : throw Malformed("a field runs past the end of the file");

        private InvalidDataException Malformed(string why) =>
            new($"'{path}' is not a valid ONNX file: {why} (at byte {stream.Position}).");
    }
}
