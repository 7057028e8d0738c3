using System;
using System.Collections.Generic;

namespace GLuCoSE.Execution;

/// <summary>
/// One model run: the sequences it pads to the longest of them, the caller's key for each row, and the buffers the
/// run reads and writes. The engine fills it, a session runs it, the engine reads each row's token states back.
/// </summary>
/// <remarks>Reused from batch to batch; its buffers grow to the largest run and stay.</remarks>
internal sealed class ModelRun
{
    private readonly OnnxEncoder.RunBuffers _buffers = new();
    private int _width;

    /// <summary>Gets the token ids of each row.</summary>
    public List<int[]> Sequences { get; } = [];

    /// <summary>Gets the caller's key for each row (its index in the caller's list of texts or requests).</summary>
    public List<int> Keys { get; } = [];

    /// <summary>Gets the padded length of the last run.</summary>
    public int SequenceLength { get; private set; }

    public void Clear()
    {
        Sequences.Clear();
        Keys.Clear();
        SequenceLength = 0;
    }

    public void Add(int[] sequence, int key)
    {
        Sequences.Add(sequence);
        Keys.Add(key);
    }

    /// <summary>Gets the token states of row <paramref name="row"/> after the run: [<see cref="SequenceLength"/>, hidden], padding included.</summary>
    public ReadOnlySpan<float> States(int row)
    {
        int stride = SequenceLength * _width;
        return _buffers.Output.AsSpan(row * stride, stride);
    }

    /// <summary>Runs the sequences on <paramref name="encoder"/>; runs with distinct <see cref="ModelRun"/>s may go on at once.</summary>
    public void Execute(OnnxEncoder encoder)
    {
        encoder.Run(_buffers, Sequences, out int sequenceLength);
        SequenceLength = sequenceLength;
        _width = encoder.HiddenSize;
    }
}
