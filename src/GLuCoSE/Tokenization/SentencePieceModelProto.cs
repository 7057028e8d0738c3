using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace GLuCoSE.Tokenization;

/// <summary>The piece types of a SentencePiece model (<c>ModelProto.SentencePiece.Type</c>).</summary>
internal enum PieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>The algorithm a SentencePiece model was trained with (<c>TrainerSpec.ModelType</c>).</summary>
internal enum SentencePieceAlgorithm
{
    Unigram = 1,
    Bpe = 2,
    Word = 3,
    Char = 4,
}

/// <summary>
/// The parts of a SentencePiece <c>ModelProto</c> that encoding needs, read straight from the protobuf wire format.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers keeps its generated <c>ModelProto</c> internal, and exact parity needs the scores, the piece
/// types, the normalizer flags and the precompiled character map, so this reader decodes just those fields.
/// </remarks>
internal sealed class SentencePieceModelProto
{
    private SentencePieceModelProto()
    {
    }

    public List<(string Piece, float Score, PieceType Type)> Pieces { get; } = new();

    public SentencePieceAlgorithm Algorithm { get; private set; } = SentencePieceAlgorithm.Unigram;

    public bool ByteFallback { get; private set; }

    public bool TreatWhitespaceAsSuffix { get; private set; }

    public int UnknownId { get; private set; }

    public bool AddDummyPrefix { get; private set; } = true;

    public bool RemoveExtraWhitespaces { get; private set; } = true;

    public bool EscapeWhitespaces { get; private set; } = true;

    public byte[] PrecompiledCharsMap { get; private set; } = Array.Empty<byte>();

    public string NormalizerName { get; private set; } = string.Empty;

    /// <summary>Parses a serialized <c>ModelProto</c>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a SentencePiece model.</exception>
    public static SentencePieceModelProto Parse(byte[] bytes)
    {
        var model = new SentencePieceModelProto();
        try
        {
            var reader = new ProtoReader(bytes, 0, bytes.Length);
            while (reader.Next(out int field, out int wireType))
            {
                switch (field)
                {
                    case 1 when wireType == ProtoReader.LengthDelimited:
                        model.Pieces.Add(ParsePiece(reader.ReadSubReader()));
                        break;
                    case 2 when wireType == ProtoReader.LengthDelimited:
                        model.ParseTrainerSpec(reader.ReadSubReader());
                        break;
                    case 3 when wireType == ProtoReader.LengthDelimited:
                        model.ParseNormalizerSpec(reader.ReadSubReader());
                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or OverflowException or DecoderFallbackException)
        {
            throw new InvalidDataException($"The data is not a valid SentencePiece model (malformed protobuf: {ex.Message})", ex);
        }

        if (model.Pieces.Count == 0)
        {
            throw new InvalidDataException("The data is not a valid SentencePiece model: it holds no pieces.");
        }

        if ((uint)model.UnknownId >= (uint)model.Pieces.Count || model.Pieces[model.UnknownId].Type != PieceType.Unknown)
        {
            throw new InvalidDataException(
                $"The data is not a valid SentencePiece model: unk_id {model.UnknownId} does not name an unknown piece.");
        }

        return model;
    }

    private static (string, float, PieceType) ParsePiece(ProtoReader reader)
    {
        string piece = string.Empty;
        float score = 0;
        var type = PieceType.Normal;
        while (reader.Next(out int field, out int wireType))
        {
            switch (field)
            {
                case 1 when wireType == ProtoReader.LengthDelimited:
                    piece = reader.ReadString();
                    break;
                case 2 when wireType == ProtoReader.Fixed32:
                    score = reader.ReadFloat();
                    break;
                case 3 when wireType == ProtoReader.Varint:
                    type = (PieceType)(int)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return (piece, score, type);
    }

    private void ParseTrainerSpec(ProtoReader reader)
    {
        while (reader.Next(out int field, out int wireType))
        {
            switch (field)
            {
                case 3 when wireType == ProtoReader.Varint:
                    Algorithm = (SentencePieceAlgorithm)(int)reader.ReadVarint();
                    break;
                case 24 when wireType == ProtoReader.Varint:
                    TreatWhitespaceAsSuffix = reader.ReadVarint() != 0;
                    break;
                case 35 when wireType == ProtoReader.Varint:
                    ByteFallback = reader.ReadVarint() != 0;
                    break;
                case 40 when wireType == ProtoReader.Varint:
                    UnknownId = (int)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    private void ParseNormalizerSpec(ProtoReader reader)
    {
        while (reader.Next(out int field, out int wireType))
        {
            switch (field)
            {
                case 1 when wireType == ProtoReader.LengthDelimited:
                    NormalizerName = reader.ReadString();
                    break;
                case 2 when wireType == ProtoReader.LengthDelimited:
                    PrecompiledCharsMap = reader.ReadBytes();
                    break;
                case 3 when wireType == ProtoReader.Varint:
                    AddDummyPrefix = reader.ReadVarint() != 0;
                    break;
                case 4 when wireType == ProtoReader.Varint:
                    RemoveExtraWhitespaces = reader.ReadVarint() != 0;
                    break;
                case 5 when wireType == ProtoReader.Varint:
                    EscapeWhitespaces = reader.ReadVarint() != 0;
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    private struct ProtoReader
    {
        public const int Varint = 0;
        public const int Fixed64 = 1;
        public const int LengthDelimited = 2;
        public const int Fixed32 = 5;

        private readonly byte[] _data;
        private readonly int _end;

        public ProtoReader(byte[] data, int start, int end)
        {
            _data = data;
            Position = start;
            _end = end;
        }

        public int Position { get; private set; }

        public bool Next(out int field, out int wireType)
        {
            if (Position >= _end)
            {
                field = 0;
                wireType = 0;
                return false;
            }

            ulong tag = ReadVarint();
            field = checked((int)(tag >> 3));
            wireType = (int)(tag & 7);
            if (field == 0)
            {
                throw Malformed("Protobuf field number 0.");
            }

            return true;
        }

        public ulong ReadVarint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (Position >= _end)
                {
                    throw Malformed("Truncated varint.");
                }

                byte b = _data[Position++];
                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return result;
                }
            }

            throw Malformed("Varint longer than 10 bytes.");
        }

        public float ReadFloat()
        {
            int end = checked(Position + 4);
            if (end > _end)
            {
                throw Malformed("Truncated fixed32.");
            }

            float value = BitConverter.ToSingle(BitConverter.IsLittleEndian ? _data.AsSpan(Position, 4) : Reverse(_data.AsSpan(Position, 4)));
            Position = end;
            return value;
        }

        public ProtoReader ReadSubReader()
        {
            int length = ReadLength();
            var sub = new ProtoReader(_data, Position, Position + length);
            Position += length;
            return sub;
        }

        public string ReadString()
        {
            int length = ReadLength();
            string value = Utf8Strict.GetString(_data, Position, length);
            Position += length;
            return value;
        }

        public byte[] ReadBytes()
        {
            int length = ReadLength();
            byte[] value = _data.AsSpan(Position, length).ToArray();
            Position += length;
            return value;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case Varint:
                    ReadVarint();
                    break;
                case Fixed64:
                    Advance(8);
                    break;
                case LengthDelimited:
                    Advance(ReadLength());
                    break;
                case Fixed32:
                    Advance(4);
                    break;
                default:
                    throw Malformed($"Unsupported protobuf wire type {wireType}.");
            }
        }

        private void Advance(int count)
        {
            int end = checked(Position + count);
            if (end > _end)
            {
                throw Malformed("Truncated field.");
            }

            Position = end;
        }

        private int ReadLength()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(_end - Position))
            {
                throw Malformed("Length-delimited field runs past its message.");
            }

            return (int)length;
        }

        private static InvalidDataException Malformed(string detail) =>
            new($"The data is not a valid SentencePiece model (malformed protobuf: {detail})");

        private static ReadOnlySpan<byte> Reverse(ReadOnlySpan<byte> bytes)
        {
            byte[] copy = bytes.ToArray();
            Array.Reverse(copy);
            return copy;
        }
    }

    private static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
