using System;
using System.Collections.Generic;
using GLuCoSE.Inference;
using GLuCoSE.Pooling;

namespace GLuCoSE;

public sealed partial class GlucoseEmbedder
{
    private delegate void TokenStatesHandler(int index, ReadOnlySpan<float> tokenStates, int tokenCount);

    /// <summary>Gets how many micro-batches of concurrent single texts have run and how many texts they held.</summary>
    internal (long Batches, long Texts) MicroBatchStatistics => _batcher.SingleStatistics;

    private int[][] Tokenize(IReadOnlyList<string> texts)
    {
        var ids = new int[texts.Count][];
        for (int i = 0; i < ids.Length; i++)
        {
            string? text = texts[i];
            if (text is null)
            {
                throw new ArgumentException($"texts[{i}] is null.", nameof(texts));
            }

            ids[i] = Tokenizer.EncodeToIds(text, MaxSequenceLength);
        }

        return ids;
    }

    // Like sentence-transformers: longest first, padded per batch with <pad>, each text handed back with its index.
    // Each batch waits for its turn on the model, so concurrent callers interleave batch by batch.
    private void RunBatches(int[][] ids, TokenStatesHandler handler)
    {
        if (ids.Length == 0)
        {
            return;
        }

        int[] order = BatchPlanner.OrderByLengthDescending(ids);
        int[] lengths = new int[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            lengths[i] = ids[order[i]].Length;
        }

        int width = _encoder.HiddenSize;
        var batch = new List<int[]>(_options.BatchSize);
        foreach ((int start, int count) in BatchPlanner.Plan(lengths, _options.BatchSize, _options.MaxBatchTokens))
        {
            batch.Clear();
            for (int b = 0; b < count; b++)
            {
                batch.Add(ids[order[start + b]]);
            }

            _batcher.RunExclusive(() =>
            {
                ThrowIfDisposed();
                ReadOnlySpan<float> states = _encoder.Run(batch, out int sequence);
                int stride = sequence * width;
                for (int b = 0; b < count; b++)
                {
                    int index = order[start + b];
                    handler(index, states.Slice(b * stride, stride), ids[index].Length);
                }
            });
        }
    }

    // One text through the micro-batcher: it shares a run with whatever other single texts are waiting.
    private float[] EncodeSingle(int[] ids)
    {
        var request = new MicroBatcher.SingleRequest(ids);
        _batcher.RunSingle(request, RunSingleBatch);
        return request.Result!;
    }

    // A micro-batch of unrelated texts: longest first, split where padding would cost more than another run.
    private void RunSingleBatch(List<MicroBatcher.SingleRequest> requests)
    {
        ThrowIfDisposed();
        requests.Sort(static (a, b) => b.Ids.Length.CompareTo(a.Ids.Length));
        var lengths = new int[requests.Count];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = requests[i].Ids.Length;
        }

        var group = new List<int[]>(requests.Count);
        foreach ((int start, int count) in BatchPlanner.SplitByPaddingCost(lengths))
        {
            group.Clear();
            for (int i = 0; i < count; i++)
            {
                group.Add(requests[start + i].Ids);
            }

            ReadOnlySpan<float> states = _encoder.Run(group, out int sequence);
            int stride = sequence * _encoder.HiddenSize;
            for (int i = 0; i < count; i++)
            {
                MicroBatcher.SingleRequest request = requests[start + i];
                request.Result = Pool(states.Slice(i * stride, stride), request.Ids.Length);
            }
        }
    }

    private float[] Pool(ReadOnlySpan<float> tokenStates, int tokenCount)
    {
        var embedding = new float[_encoder.HiddenSize];
        MeanPooling.Pool(tokenStates, tokenCount, embedding);
        if (_options.NormalizeEmbeddings)
        {
            MeanPooling.Normalize(embedding);
        }

        return embedding;
    }
}
