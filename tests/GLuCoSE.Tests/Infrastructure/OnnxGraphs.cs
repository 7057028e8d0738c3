using System;
using System.Collections.Generic;
using System.Text;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>
/// Writes tiny ONNX graphs byte by byte (the protobuf wire format), for model-folder fault tests that need a valid
/// graph of the wrong shape. No ONNX tooling is needed to make them.
/// </summary>
internal static class OnnxGraphs
{
    private const int Float = 1;
    private const int Int64 = 7;

    /// <summary>input_ids and attention_mask in, input_ids cast to float out: no rank-3 float output.</summary>
    public static byte[] WithoutTokenStates() => Model(
        [Input("input_ids", Int64), Input("attention_mask", Int64)],
        [Node("Cast", ["input_ids"], ["out"], IntAttribute("to", Float))],
        [Output("out", Float, "batch", "sequence")],
        []);

    /// <summary>A graph whose only input is named 'tokens'.</summary>
    public static byte[] WithInput(string name) => Model(
        [Input(name, Int64)],
        [Node("Cast", [name], ["out"], IntAttribute("to", Float))],
        [Output("out", Float, "batch", "sequence")],
        []);

    /// <summary>input_ids, attention_mask and position_ids in: an input the library cannot feed.</summary>
    public static byte[] WithExtraInput(string extra) => Model(
        [Input("input_ids", Int64), Input("attention_mask", Int64), Input(extra, Int64)],
        [Node("Gather", ["table", "input_ids"], ["states"], IntAttribute("axis", 0))],
        [Output("states", Float, "batch", "sequence", 4)],
        [Initializer("table", [8, 4])]);

    /// <summary>
    /// A token-state graph (an embedding lookup, [batch, sequence, width]) whose table holds only
    /// <paramref name="vocabulary"/> rows.
    /// </summary>
    public static byte[] EmbeddingLookup(int vocabulary, int width) => Model(
        [Input("input_ids", Int64), Input("attention_mask", Int64)],
        [Node("Gather", ["table", "input_ids"], ["states"], IntAttribute("axis", 0))],
        [Output("states", Float, "batch", "sequence", width)],
        [Initializer("table", [vocabulary, width])]);

    private static byte[] Model(byte[][] inputs, byte[][] nodes, byte[][] outputs, byte[][] initializers)
    {
        var graph = new Proto();
        foreach (byte[] node in nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, "test");
        foreach (byte[] initializer in initializers)
        {
            graph.Message(5, initializer);
        }

        foreach (byte[] input in inputs)
        {
            graph.Message(11, input);
        }

        foreach (byte[] output in outputs)
        {
            graph.Message(12, output);
        }

        var model = new Proto();
        model.Varint(1, 8);
        model.String(2, "glucose-tests");
        model.Message(7, graph.ToArray());
        model.Message(8, new Proto().String(1, string.Empty).Varint(2, 17).ToArray());
        return model.ToArray();
    }

    private static byte[] Node(string op, string[] inputs, string[] outputs, byte[] attribute)
    {
        var node = new Proto();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        foreach (string output in outputs)
        {
            node.String(2, output);
        }

        return node.String(3, op + "_0").String(4, op).Message(5, attribute).ToArray();
    }

    private static byte[] IntAttribute(string name, long value) => new Proto().String(1, name).Varint(3, value).Varint(20, 2).ToArray();

    private static byte[] Input(string name, int elementType) => ValueInfo(name, elementType, "batch", "sequence");

    private static byte[] Output(string name, int elementType, params object[] dims) => ValueInfo(name, elementType, dims);

    private static byte[] ValueInfo(string name, int elementType, params object[] dims)
    {
        var shape = new Proto();
        foreach (object dim in dims)
        {
            shape.Message(1, dim is string symbol ? new Proto().String(2, symbol).ToArray() : new Proto().Varint(1, (int)dim).ToArray());
        }

        byte[] tensorType = new Proto().Varint(1, elementType).Message(2, shape.ToArray()).ToArray();
        byte[] type = new Proto().Message(1, tensorType).ToArray();
        return new Proto().String(1, name).Message(2, type).ToArray();
    }

    private static byte[] Initializer(string name, int[] dims)
    {
        var tensor = new Proto();
        int count = 1;
        foreach (int dim in dims)
        {
            tensor.Varint(1, dim);
            count *= dim;
        }

        var data = new byte[count * 4];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(data.AsSpan(i * 4), i * 0.01f);
        }

        return tensor.Varint(2, Float).String(8, name).Bytes(9, data).ToArray();
    }

    private sealed class Proto
    {
        private readonly List<byte> _stream = new();

        public Proto Varint(int field, long value)
        {
            Tag(field, 0);
            WriteVarint((ulong)value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, byte[] value) => Bytes(field, value);

        public Proto Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            WriteVarint((ulong)value.Length);
            _stream.AddRange(value);
            return this;
        }

        public byte[] ToArray() => _stream.ToArray();

        private void Tag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _stream.Add((byte)(value | 0x80));
                value >>= 7;
            }

            _stream.Add((byte)value);
        }
    }
}
