using System;
using System.Collections.Generic;
using GLuCoSE.Pooling;
using Microsoft.ML.OnnxRuntime;

namespace GLuCoSE;

public sealed partial class GlucoseEmbedder
{
    private delegate void TokenStatesHandler(int index, ReadOnlySpan<float> tokenStates, int tokenCount);

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
    private void RunBatches(int[][] ids, TokenStatesHandler handler)
    {
        if (ids.Length == 0)
        {
            return;
        }

        int[] order = new int[ids.Length];
        int[] lengths = new int[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            order[i] = i;
            lengths[i] = -ids[i].Length;
        }

        Array.Sort(lengths, order);
        int batchSize = _options.BatchSize;
        int width = _encoder.HiddenSize;
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int batch = Math.Min(batchSize, order.Length - start);
            int sequence = ids[order[start]].Length;
            var inputIds = new long[batch * sequence];
            var mask = new long[batch * sequence];
            Array.Fill(inputIds, GlucoseTokenizer.PaddingId);
            for (int b = 0; b < batch; b++)
            {
                int[] row = ids[order[start + b]];
                for (int t = 0; t < row.Length; t++)
                {
                    inputIds[(b * sequence) + t] = row[t];
                    mask[(b * sequence) + t] = 1;
                }
            }

            ThrowIfDisposed();
            using IDisposableReadOnlyCollection<OrtValue> outputs = _encoder.Run(inputIds, mask, batch, sequence);
            ReadOnlySpan<float> states = outputs[0].GetTensorDataAsSpan<float>();
            int stride = sequence * width;
            for (int b = 0; b < batch; b++)
            {
                int index = order[start + b];
                handler(index, states.Slice(b * stride, stride), ids[index].Length);
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
