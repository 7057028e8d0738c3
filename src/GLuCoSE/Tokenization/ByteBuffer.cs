using System;

namespace GLuCoSE.Tokenization;

/// <summary>A growable byte array reused across calls on one thread.</summary>
internal sealed class ByteBuffer
{
    private byte[] _items;

    public ByteBuffer(int capacity = 256)
    {
        _items = new byte[Math.Max(capacity, 16)];
    }

    public int Length { get; set; }

    public ReadOnlySpan<byte> Span => _items.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void Append(byte value)
    {
        if (Length == _items.Length)
        {
            Grow(Length + 1);
        }

        _items[Length++] = value;
    }

    public void Append(ReadOnlySpan<byte> values)
    {
        if (Length + values.Length > _items.Length)
        {
            Grow(Length + values.Length);
        }

        values.CopyTo(_items.AsSpan(Length));
        Length += values.Length;
    }

    private void Grow(int needed) => Array.Resize(ref _items, Math.Max(needed, _items.Length * 2));
}
