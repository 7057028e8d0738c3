using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Execution;
using GLuCoSE.Model;
using GLuCoSE.Pooling;
using GLuCoSE.Scheduling;
using Microsoft.Extensions.Logging;

namespace GLuCoSE.Engine;

/// <summary>
/// The one encoding engine behind <see cref="GlucoseEmbedder"/>: tokenize → plan → schedule → run → pool. It takes
/// texts whose arguments the facade has checked, and hands embeddings back; nothing in it calls the facade.
/// </summary>
/// <remarks>
/// <para>Bulk calls tokenize a window of texts, sort them longest first, cut them into batches within the policy's
/// limits (<see cref="BatchPlanner"/>), and run each batch in a turn of its own (<see cref="MicroBatcher"/>), whole on
/// the main session or as two halves on the lanes (<see cref="ParallelRuns"/>). Single texts join micro-batch rounds;
/// a round's leader runs it for everyone. Every run's rows are pooled (<see cref="MeanPooling"/>) into the results.</para>
/// <para>Thread-safe. <see cref="Dispose"/> waits for the run in progress, then releases the sessions; calls that reach
/// their turn later throw <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
internal sealed class EmbeddingEngine : IDisposable
{
    private readonly ModelSessions _sessions;
    private readonly OnnxEncoder _main;
    private readonly GlucoseTokenizer _tokenizer;
    private readonly MicroBatcher _batcher;
    private readonly ILogger _logger;
    private readonly bool _normalize;

    // Used only within the model's turn (one batch or round at a time), so shared by every call.
    private readonly List<ModelRun> _runs = [];
    private readonly List<ModelRun> _firstLane = [];
    private readonly List<ModelRun> _secondLane = [];
    private volatile bool _disposed;
    private int _disposeStarted;
    private long _laneBatches;

    private EmbeddingEngine(ModelSessions sessions, GlucoseTokenizer tokenizer, EnginePolicy policy, int maxSequenceLength, bool normalize, string modelPath, ILogger logger, TimeProvider time)
    {
        _sessions = sessions;
        _main = sessions.Main;
        _tokenizer = tokenizer;
        Policy = policy;
        MaxSequenceLength = maxSequenceLength;
        _normalize = normalize;
        ModelPath = modelPath;
        _logger = logger;
        _batcher = new MicroBatcher(policy.BatchSize, policy.MicroBatchWait, time);
    }

    /// <summary>Gets the embedding width, from the graph's output metadata.</summary>
    public int Dimensions => _main.HiddenSize;

    /// <summary>Gets the most tokens per text, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included.</summary>
    public int MaxSequenceLength { get; }

    public GlucoseTokenizer Tokenizer => _tokenizer;

    /// <summary>Gets the full path of the ONNX graph loaded.</summary>
    public string ModelPath { get; }

    public EnginePolicy Policy { get; }

    /// <summary>Gets the sessions (tests and benchmarks read the encoders' statistics and the lanes' state).</summary>
    internal ModelSessions Sessions => _sessions;

    /// <summary>Gets the scheduler (tests hold the model's turn while callers queue).</summary>
    internal MicroBatcher Batcher => _batcher;

    /// <summary>Gets how many bulk batches and micro-batch rounds ran on the two lanes.</summary>
    internal long LaneBatches => Interlocked.Read(ref _laneBatches);

    /// <summary>Opens a model folder with options the facade has validated.</summary>
    public static EmbeddingEngine Open(string modelDirectory, GlucoseEmbedderOptions options, ILogger logger, TimeProvider time)
    {
        EnginePolicy policy = EnginePolicy.From(options);
        ModelFolder folder = ModelFolder.Open(modelDirectory, options.ModelFileName ?? EnginePolicy.DefaultModelFileName);
        GlucoseTokenizer tokenizer = GlucoseTokenizer.Create(folder.TokenizerPath);

        int maxLength = options.MaxSequenceLength ?? folder.MaxSequenceLength ?? EnginePolicy.DefaultMaxSequenceLength;
        int maxPositions = folder.MaxPositions ?? EnginePolicy.DefaultMaxSequenceLength;
        if (maxLength < 2 || maxLength > maxPositions)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                maxLength,
                $"MaxSequenceLength must be between 2 and {maxPositions} (the model's position embeddings) for '{folder.Directory}'.");
        }

        if (folder.VocabularySize is int configured && configured < tokenizer.VocabularySize)
        {
            throw new InvalidDataException(
                $"The tokenizer '{folder.TokenizerPath}' makes {tokenizer.VocabularySize} token ids, but config.json in " +
                $"'{folder.Directory}' gives the model only {configured} (vocab_size); use the tokenizer that belongs to this model.");
        }

        ModelSessions sessions = ModelSessions.Open(folder.ModelPath, options, policy.Lanes, policy.MinSharedWeightsFraction, tokenizer.VocabularySize, folder.TokenizerPath);
        var engine = new EmbeddingEngine(sessions, tokenizer, policy, maxLength, options.NormalizeEmbeddings, folder.ModelPath, logger, time);
        engine.LogLoaded(options);
        return engine;
    }

    /// <summary>Embeds one text (with <paramref name="prefix"/> before it), sharing a micro-batch round with concurrent callers.</summary>
    public float[] EmbedOne(string text, string prefix)
    {
        int[] ids = _tokenizer.EncodeToIds(prefix.Length == 0 ? text : string.Concat(prefix, text), MaxSequenceLength, out bool truncated);
        if (truncated)
        {
            EngineLog.InputsTruncated(_logger, 1, 1, MaxSequenceLength);
        }

        var request = new SingleRequest(ids);
        if (_batcher.JoinRound(request) is { } round)
        {
            try
            {
                RunRound(round);
            }
            catch (Exception ex)
            {
                foreach (SingleRequest member in round)
                {
                    member.Fail(ex);
                }
            }
            finally
            {
                _batcher.EndRound(round);
            }
        }

        return request.GetResult();
    }

    /// <summary>Embeds every text in batches; the results are in input order.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, EncodeCall call)
    {
        var results = new float[texts.Count][];
        RunBatches(texts, call, results, null);
        return results;
    }

    /// <summary>Computes every text's token states in batches; the results are in input order.</summary>
    public TokenEmbeddings[] EmbedTokens(IReadOnlyList<string> texts, EncodeCall call)
    {
        var results = new TokenEmbeddings[texts.Count];
        RunBatches(texts, call, null, results);
        return results;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            return;
        }

        _disposed = true;

        // The model's turn: no run is in progress while the sessions go away, and every turn after this one sees
        // _disposed and throws instead of touching them.
        using (_batcher.EnterTurn(CancellationToken.None))
        {
            _sessions.Dispose();
        }
    }

    // Like sentence-transformers: longest first, padded per batch, each row handed back to its text's index. Each batch
    // waits for its turn on the model, so concurrent callers interleave batch by batch; cancellation and progress are
    // checked and reported between batches (cancellation also ends the wait for a turn). Windows bound the memory
    // beyond the results.
    private void RunBatches(IReadOnlyList<string> texts, EncodeCall call, float[][]? embeddings, TokenEmbeddings[]? tokens)
    {
        call.Start(texts.Count);
        int window = Policy.WindowSize;
        for (int first = 0; first < texts.Count; first += window)
        {
            int count = Math.Min(window, texts.Count - first);
            var ids = new int[count][];
            for (int i = 0; i < count; i++)
            {
                string text = texts[first + i];
                ids[i] = _tokenizer.EncodeToIds(call.Prefix.Length == 0 ? text : string.Concat(call.Prefix, text), MaxSequenceLength, out bool truncated);
                call.Count(ids[i].Length, truncated);
            }

            RunWindow(ids, first, call, embeddings, tokens);
        }

        if (call.Truncated > 0)
        {
            EngineLog.InputsTruncated(_logger, call.Truncated, call.Texts, MaxSequenceLength);
        }
    }

    private void RunWindow(int[][] ids, int first, EncodeCall call, float[][]? embeddings, TokenEmbeddings[]? tokens)
    {
        int[] order = BatchPlanner.OrderByLengthDescending(ids);
        int[] lengths = new int[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            lengths[i] = ids[order[i]].Length;
        }

        foreach ((int start, int count) in BatchPlanner.Plan(lengths, Policy.BatchSize, Policy.MaxBatchTokens))
        {
            call.CancellationToken.ThrowIfCancellationRequested();
            using (_batcher.EnterTurn(call.CancellationToken))
            {
                ThrowIfDisposed();

                // On the lanes, the batch's two halves run at once, each on half the threads (same texts, same turn).
                int half = Policy.Lanes && _sessions.MayHaveLanes
                    ? BatchPlanner.SplitForLanes(lengths.AsSpan(start, count), Policy.MinLaneBatchTokens, Policy.MaxLaneRunTokens) ?? 0
                    : 0;
                if (half > 0 && !LanesOpenFor())
                {
                    half = 0;
                }

                ModelRun whole = Fill(0, ids, order, start, half > 0 ? half : count);
                if (half > 0)
                {
                    ModelRun second = Fill(1, ids, order, start + half, count - half);
                    RunOnLanes([whole], [second]);
                    Deliver(second, first, embeddings, tokens);
                }
                else
                {
                    whole.Execute(_main);
                }

                Deliver(whole, first, embeddings, tokens);
            }

            call.Completed(count);
        }
    }

    // A round of unrelated single texts: longest first, split where padding would cost more than another run, and
    // between the two lanes when they end sooner than one run after another on all the threads.
    private void RunRound(List<SingleRequest> round)
    {
        ThrowIfDisposed();
        round.Sort(static (a, b) => b.Ids.Length.CompareTo(a.Ids.Length));
        var lengths = new int[round.Count];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = round[i].Ids.Length;
        }

        List<(int Start, int Count)> groups = BatchPlanner.SplitByPaddingCost(lengths, Policy.RunOverheadTokens, Policy.MaxBatchTokens);
        if (Policy.Lanes && _sessions.MayHaveLanes && round.Count >= Policy.MinLaneTexts
            && BatchPlanner.SplitInTwoLanes(lengths, groups, Policy.HalfThreadsSlowdown, Policy.MaxBatchTokens, Policy.RunOverheadTokens) is { } split
            && LanesOpenFor())
        {
            List<ModelRun> first = FillRound(round, split.First, 0, _firstLane);
            List<ModelRun> second = FillRound(round, split.Second, first.Count, _secondLane);
            RunOnLanes(first, second);
            DeliverRound(round, first);
            DeliverRound(round, second);
            return;
        }

        List<ModelRun> runs = FillRound(round, groups, 0, _firstLane);
        foreach (ModelRun run in runs)
        {
            run.Execute(_main);
        }

        DeliverRound(round, runs);
    }

    // Whether the lanes are open for a run they would speed up; the first such run starts opening them and runs whole.
    private bool LanesOpenFor()
    {
        if (_sessions.Lanes is not null)
        {
            return true;
        }

        _sessions.OpenLanes();
        return false;
    }

    private void RunOnLanes(IReadOnlyList<ModelRun> first, IReadOnlyList<ModelRun> second)
    {
        Interlocked.Increment(ref _laneBatches);
        _sessions.Lanes!.Run(first, second);
    }

    private ModelRun Fill(int slot, int[][] ids, int[] order, int start, int count)
    {
        ModelRun run = Run(slot);
        for (int b = start; b < start + count; b++)
        {
            run.Add(ids[order[b]], order[b]);
        }

        return run;
    }

    private List<ModelRun> FillRound(List<SingleRequest> round, List<(int Start, int Count)> groups, int firstSlot, List<ModelRun> runs)
    {
        runs.Clear();
        for (int g = 0; g < groups.Count; g++)
        {
            (int start, int count) = groups[g];
            ModelRun run = Run(firstSlot + g);
            for (int i = start; i < start + count; i++)
            {
                run.Add(round[i].Ids, i);
            }

            runs.Add(run);
        }

        return runs;
    }

    private ModelRun Run(int slot)
    {
        while (_runs.Count <= slot)
        {
            _runs.Add(new ModelRun());
        }

        ModelRun run = _runs[slot];
        run.Clear();
        return run;
    }

    private void Deliver(ModelRun run, int first, float[][]? embeddings, TokenEmbeddings[]? tokens)
    {
        int width = _main.HiddenSize;
        for (int row = 0; row < run.Sequences.Count; row++)
        {
            int[] ids = run.Sequences[row];
            int index = first + run.Keys[row];
            ReadOnlySpan<float> states = run.States(row);
            if (tokens is not null)
            {
                tokens[index] = new TokenEmbeddings(ids, width, states[..(ids.Length * width)].ToArray());
            }
            else
            {
                embeddings![index] = Pool(states, ids.Length);
            }
        }
    }

    private void DeliverRound(List<SingleRequest> round, List<ModelRun> runs)
    {
        foreach (ModelRun run in runs)
        {
            for (int row = 0; row < run.Sequences.Count; row++)
            {
                round[run.Keys[row]].Result = Pool(run.States(row), run.Sequences[row].Length);
            }
        }
    }

    private float[] Pool(ReadOnlySpan<float> tokenStates, int tokenCount)
    {
        var embedding = new float[_main.HiddenSize];
        MeanPooling.Pool(tokenStates, tokenCount, embedding);
        if (_normalize)
        {
            MeanPooling.Normalize(embedding);
        }

        return embedding;
    }

    private void LogLoaded(GlucoseEmbedderOptions options)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        EngineLog.ModelLoaded(
            _logger,
            ModelPath,
            Dimensions,
            MaxSequenceLength,
            options.ExecutionProvider,
            options.IntraOpNumThreads is int threads ? threads.ToString(CultureInfo.InvariantCulture) : "ONNX Runtime's default",
            Policy.BatchSize);

        // The lanes' session may still be opening: say how they ended up once it is known.
        _sessions.LanesOpened.ContinueWith(
            static (_, state) =>
            {
                var engine = (EmbeddingEngine)state!;
                EngineLog.ParallelRuns(engine._logger, engine._sessions.LanesState);
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, typeof(GlucoseEmbedder));
}
