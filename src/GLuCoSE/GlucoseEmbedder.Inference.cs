using System;
using System.Collections.Generic;
using System.Threading;
using GLuCoSE.Inference;
using GLuCoSE.Pooling;

namespace GLuCoSE;

public sealed partial class GlucoseEmbedder
{
    private delegate void TokenStatesHandler(int index, int[] tokenIds, ReadOnlySpan<float> tokenStates);

    /// <summary>Gets how many micro-batches of concurrent single texts have run and how many texts they held.</summary>
    internal (long Batches, long Texts) MicroBatchStatistics => _batcher.SingleStatistics;

    /// <summary>Gets how many callers wait for their turn on the model (tests).</summary>
    internal int QueuedTurns => _batcher.QueueLength;

    /// <summary>Runs <paramref name="work"/> in a turn of its own on the model, as a bulk batch does (tests hold the model while callers queue).</summary>
    internal void RunExclusive(Action work) => _batcher.RunExclusive(work);

    /// <summary>Gets the main model runner (diagnostics for the benchmarks).</summary>
    internal OnnxEncoder Encoder => _encoder;

    /// <summary>Gets the session of the two lanes (<see cref="GlucoseEmbedderOptions.ParallelRuns"/>), or null where they are off (diagnostics for the benchmarks).</summary>
    internal OnnxEncoder? LaneEncoder => _runners.Lanes?.Encoder;

    /// <summary>Gets a task that ends when the lanes' session is open, or known to stay off (tests and benchmarks wait for it).</summary>
    internal System.Threading.Tasks.Task LanesOpened => _runners.LanesOpened;

    /// <summary>Gets whether the lanes are on, opening, or off and why.</summary>
    internal string LanesState => _runners.LanesState;

    /// <summary>Gets or sets whether micro-batches and bulk batches may use the lanes (the benchmarks compare both in one process).</summary>
    internal bool UseLanes { get; set; } = true;

    // Each lane's list of the sequences it runs: used only within the model's turn (one batch at a time), so shared.
    private readonly List<int[]>[] _laneMembers = [new(), new()];

    /// <summary>Gets how many micro-batches and bulk batches ran on the two lanes (diagnostics for the benchmarks and tests).</summary>
    internal long LaneBatches => Interlocked.Read(ref _laneBatches);

    /// <summary>Gets the time spent inside ONNX Runtime (summed over the lanes) and the padded tokens it ran (for the benchmarks).</summary>
    internal (TimeSpan RunTime, long PaddedTokens, long Runs) RunStatistics
    {
        get
        {
            long ticks = _encoder.RunTicks + (LaneEncoder?.RunTicks ?? 0);
            return (TimeSpan.FromSeconds((double)ticks / System.Diagnostics.Stopwatch.Frequency),
                _encoder.PaddedTokens + (LaneEncoder?.PaddedTokens ?? 0), _encoder.RunCount + (LaneEncoder?.RunCount ?? 0));
        }
    }

    /// <summary>
    /// How many texts a bulk call tokenizes and sorts at once: the corpus is processed in windows so that memory
    /// beyond the results is bounded by the window, not by the corpus.
    /// </summary>
    private int WindowSize => (int)Math.Clamp(32L * _options.EffectiveBatchSize, 4096, int.MaxValue);

    /// <summary>
    /// The batched core every bulk member funnels into (Encode, EncodeAsync, EncodeTokens, the streaming form,
    /// GenerateAsync): embeds <paramref name="texts"/> with <paramref name="prefix"/> before each, in input order.
    /// </summary>
    private float[][] EncodeEmbeddings(IReadOnlyList<string> texts, string prefix, IProgress<EncodeProgress>? progress = null, CancellationToken cancellationToken = default) =>
        EncodeEmbeddings(texts, new EncodeCall(prefix, cancellationToken, progress));

    private float[][] EncodeEmbeddings(IReadOnlyList<string> texts, EncodeCall call)
    {
        var results = new float[texts.Count][];
        RunBatches(texts, call, (index, tokenIds, tokenStates) => results[index] = Pool(tokenStates, tokenIds.Length));
        LogTruncation(call);
        return results;
    }

    private int[] Tokenize(IReadOnlyList<string> texts, int index, EncodeCall call)
    {
        string text = texts[index];
        ThrowIfUnpairedSurrogate(text, index);

        int[] ids = _tokenizer.EncodeToIds(call.Prefix.Length == 0 ? text : string.Concat(call.Prefix, text), _maxSequenceLength, out bool truncated);
        call.Count(ids.Length, truncated);
        return ids;
    }

    /// <summary>Throws when the element <paramref name="index"/> of a <c>texts</c> argument holds an unpaired surrogate.</summary>
    private static void ThrowIfUnpairedSurrogate(string text, long index, string texts = "texts")
    {
        int bad = GlucoseTokenizer.IndexOfUnpairedSurrogate(text);
        if (bad >= 0)
        {
            throw new ArgumentException($"texts[{index}] holds an unpaired surrogate (U+{(int)text[bad]:X4}) at index {bad}; it is not valid Unicode.", texts);
        }
    }

    private static void CheckElements(IReadOnlyList<string> texts)
    {
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentException($"texts[{i}] is null.", nameof(texts));
            }
        }
    }

    // Like sentence-transformers: longest first, padded per batch with <pad>, each text handed back with its index.
    // Each batch waits for its turn on the model, so concurrent callers interleave batch by batch; cancellation and
    // progress are checked and reported between batches.
    private void RunBatches(IReadOnlyList<string> texts, EncodeCall call, TokenStatesHandler handler)
    {
        CheckElements(texts);
        call.Start(texts.Count);
        int window = WindowSize;
        for (int first = 0; first < texts.Count; first += window)
        {
            int count = Math.Min(window, texts.Count - first);
            var ids = new int[count][];
            for (int i = 0; i < count; i++)
            {
                ids[i] = Tokenize(texts, first + i, call);
            }

            RunWindow(ids, first, call, handler);
        }
    }

    private void RunWindow(int[][] ids, int first, EncodeCall call, TokenStatesHandler handler)
    {
        int[] order = BatchPlanner.OrderByLengthDescending(ids);
        int[] lengths = new int[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            lengths[i] = ids[order[i]].Length;
        }

        int width = _encoder.HiddenSize;
        var batch = new List<int[]>(Math.Min(_options.EffectiveBatchSize, ids.Length));
        foreach ((int start, int count) in BatchPlanner.Plan(lengths, _options.EffectiveBatchSize, _options.EffectiveMaxBatchTokens))
        {
            call.CancellationToken.ThrowIfCancellationRequested();
            _batcher.RunExclusive(() =>
            {
                ThrowIfDisposed();

                // On the lanes, the batch's two halves run at once, each on half the threads (same texts, same turn).
                if (_runners.Lanes is { } lanes && UseLanes
                    && BatchPlanner.SplitForLanes(lengths.AsSpan(start, count), ParallelRuns.MinBulkBatchTokens, ParallelRuns.MaxBulkRunTokens) is int half)
                {
                    Interlocked.Increment(ref _laneBatches);
                    lanes.Run((lane, encoder, buffers) =>
                    {
                        (int laneStart, int laneCount) = lane == 0 ? (start, half) : (start + half, count - half);
                        List<int[]> members = _laneMembers[lane];
                        members.Clear();
                        for (int b = 0; b < laneCount; b++)
                        {
                            members.Add(ids[order[laneStart + b]]);
                        }

                        HandleBatch(encoder.Run(buffers, members, out int laneSequence), laneSequence, laneStart, laneCount);
                    });
                    return;
                }

                batch.Clear();
                for (int b = 0; b < count; b++)
                {
                    batch.Add(ids[order[start + b]]);
                }

                HandleBatch(_encoder.Run(batch, out int sequence), sequence, start, count);
            });
            call.Completed(count);
        }

        // Hands each text of a run its token states (the run's rows, [count, sequence, width]).
        void HandleBatch(ReadOnlySpan<float> states, int sequence, int start, int count)
        {
            int stride = sequence * width;
            for (int b = 0; b < count; b++)
            {
                int index = order[start + b];
                handler(first + index, ids[index], states.Slice(b * stride, stride));
            }
        }
    }

    // One text through the micro-batcher: it shares a run with whatever other single texts are waiting.
    private float[] EncodeSingle(string text, string prefix)
    {
        int[] ids = _tokenizer.EncodeToIds(prefix.Length == 0 ? text : string.Concat(prefix, text), _maxSequenceLength, out bool truncated);
        if (truncated)
        {
            LogTruncation(1, 1);
        }

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

        List<(int Start, int Count)> groups = BatchPlanner.SplitByPaddingCost(lengths, _options.EffectiveMaxBatchTokens);
        if (_runners.Lanes is { } parallelRuns && UseLanes && requests.Count >= ParallelRuns.MinTexts
            && BatchPlanner.SplitInTwoLanes(lengths, groups, ParallelRuns.HalfThreadsSlowdown, _options.EffectiveMaxBatchTokens) is { } lanes)
        {
            Interlocked.Increment(ref _laneBatches);
            parallelRuns.Run((lane, encoder, buffers) =>
            {
                foreach ((int Start, int Count) span in lane == 0 ? lanes.First : lanes.Second)
                {
                    RunGroup(requests, span, _laneMembers[lane], encoder, buffers);
                }
            });
            return;
        }

        var group = new List<int[]>(requests.Count);
        foreach ((int Start, int Count) span in groups)
        {
            RunGroup(requests, span, group, _encoder, null);
        }
    }

    private void RunGroup(List<MicroBatcher.SingleRequest> requests, (int Start, int Count) span, List<int[]> group, OnnxEncoder encoder, OnnxEncoder.RunBuffers? buffers)
    {
        (int start, int count) = span;
        group.Clear();
        for (int i = 0; i < count; i++)
        {
            group.Add(requests[start + i].Ids);
        }

        ReadOnlySpan<float> states = buffers is null ? encoder.Run(group, out int sequence) : encoder.Run(buffers, group, out sequence);
        int stride = sequence * encoder.HiddenSize;
        for (int i = 0; i < count; i++)
        {
            MicroBatcher.SingleRequest request = requests[start + i];
            request.Result = Pool(states.Slice(i * stride, stride), request.Ids.Length);
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

    /// <summary>One bulk call's settings and counters: prompt, cancellation, progress, tokens, truncations.</summary>
    private sealed class EncodeCall(string prefix, CancellationToken cancellationToken, IProgress<EncodeProgress>? progress)
    {
        private int _total;
        private int _done;

        public string Prefix { get; } = prefix;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        /// <summary>Gets the tokens the model processed, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included.</summary>
        public long Tokens { get; private set; }

        /// <summary>Gets how many texts were longer than MaxSequenceLength tokens.</summary>
        public int Truncated { get; private set; }

        public int Texts => _total;

        public void Start(int total)
        {
            _total = total;
            CancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new EncodeProgress(0, total));
        }

        public void Count(int tokens, bool truncated)
        {
            Tokens += tokens;
            Truncated += truncated ? 1 : 0;
        }

        public void Completed(int texts)
        {
            _done += texts;
            progress?.Report(new EncodeProgress(_done, _total));
        }
    }
}
