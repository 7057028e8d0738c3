using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace GLuCoSE.Cli.IO;

/// <summary>Writes a float32 matrix as a NumPy <c>.npy</c> file (format 1.0, little-endian, C order), row by row.</summary>
internal sealed class NpyWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly int _columns;
    private readonly byte[] _row;
    private readonly long _rows;
    private long _written;

    public NpyWriter(Stream stream, long rows, int columns)
    {
        _stream = stream;
        _rows = rows;
        _columns = columns;
        _row = new byte[columns * sizeof(float)];
        stream.Write(Header(rows, columns));
    }

    public void WriteRow(ReadOnlySpan<float> row)
    {
        if (row.Length != _columns)
        {
            throw new InvalidOperationException($"Row {_written} has {row.Length} values; the .npy file holds rows of {_columns}.");
        }

        if (_written == _rows)
        {
            throw new InvalidOperationException($"The .npy file was declared with {_rows} rows; row {_written} is one too many.");
        }

        for (int i = 0; i < row.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(_row.AsSpan(i * sizeof(float)), row[i]);
        }

        _stream.Write(_row);
        _written++;
    }

    /// <summary>Checks that every declared row was written (the header promised them).</summary>
    public void Complete()
    {
        if (_written != _rows)
        {
            throw new InvalidOperationException($"The .npy file was declared with {_rows} rows but {_written} were written.");
        }

        _stream.Flush();
    }

    // Never throws: an interrupted write must surface as the interruption, not as a short file.
    public void Dispose() => _stream.Dispose();

    // The magic, version 1.0, a little-endian header length, then a Python dict literal padded with spaces to a
    // multiple of 64 bytes and ended by a newline.
    internal static byte[] Header(long rows, int columns)
    {
        string dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
        int unpadded = 10 + dict.Length + 1;
        int total = (unpadded + 63) / 64 * 64;
        string header = dict + new string(' ', total - unpadded) + "\n";
        var bytes = new byte[total];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", bytes.AsSpan(1));
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        return bytes;
    }
}
