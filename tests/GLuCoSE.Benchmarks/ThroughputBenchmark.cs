using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using GLuCoSE.Execution;
using GLuCoSE.Scheduling;
using Microsoft.ML.OnnxRuntime;

namespace GLuCoSE.Benchmarks;

/// <summary>
/// The library's Encode against the bare ONNX Runtime floor: the same graph in an InferenceSession with the same
/// options, fed the same pre-tokenized, length-sorted, padded batches, timing only Run. Speeds come from whole-corpus
/// rounds (fp32 and int8, library and floor alternating); the library/floor ratio from an interleaved pass in which
/// the two take turns block by block (a few batches), which the machine's drift cannot skew.
/// </summary>
internal static class ThroughputBenchmark
{
    public static int Run(Args args)
    {
        string model = args.Required("--model");
        string[] corpus = Corpus.FromArgs(args);
        int rounds = args.Int("--rounds", 2);
        int[] batchSizes = args.Ints("--batch-sizes", [1, 8, 32, 128]);
        int[] tokenBudgets = args.Ints("--token-budgets", [2048]);
        string[] variants = args.List("--variants", ["fp32", "int8"]);
        int? threads = args.OptionalInt("--threads");

        Console.WriteLine($"# {Machine.Describe()}");
        Console.WriteLine($"# {string.Join(' ', Environment.GetCommandLineArgs()[1..])}");
        Console.WriteLine($"# corpus: {corpus.Length} sentences; rounds: {rounds}; intra-op threads: {threads?.ToString() ?? "ORT default"}");
        ModelCost cost = ModelCost.Load(model);
        double clock0 = Machine.MeasuredClockGHz();
        double peak = Environment.ProcessorCount * clock0 * Machine.FlopsPerCycle;
        double fmaPeak = Machine.MeasuredFmaGflops();
        Console.WriteLine(
            $"# peak estimate: {Environment.ProcessorCount} cores x {clock0:F2} GHz (measured all-core clock; /proc/cpuinfo says {Machine.ClockGHz()?.ToString("F2") ?? "?"})" +
            $" x {Machine.FlopsPerCycle} FLOP/cycle (2 FMA x {Machine.FlopsPerCycle / 4} lanes x 2) = {peak:F0} GFLOP/s; an FMA-only loop reaches {fmaPeak:F0} GFLOP/s");
        double bandwidth = Machine.MeasuredReadBandwidthGBs();
        Console.WriteLine(
            $"# memory read bandwidth: {bandwidth:F1} GB/s (all cores, 400 MB array): streaming the {cost.WeightBytes / 1e6:F0} MB of fp32" +
            $" weight matrices once, as every run must, takes {cost.WeightBytes / 1e9 / bandwidth * 1000:F1} ms");
        var tokenizeClock = Stopwatch.StartNew();
        using (GlucoseEmbedder probe = GlucoseEmbedder.Create(model))
        {
            long tokens = 0;
            foreach (string sentence in corpus)
            {
                tokens += probe.Tokenizer.EncodeToIds(sentence, probe.MaxSequenceLength).Length;
            }

            tokenizeClock.Restart();
            foreach (string sentence in corpus)
            {
                probe.Tokenizer.EncodeToIds(sentence, probe.MaxSequenceLength);
            }

            Console.WriteLine($"# tokenizing the corpus: {tokenizeClock.Elapsed.TotalMilliseconds:F1} ms for {corpus.Length} sentences, {tokens} tokens ({(double)tokens / corpus.Length:F1} per sentence)");
        }

        double worst = double.MaxValue;
        string worstCase = string.Empty;
        var speeds = new Dictionary<string, double>();

        foreach (string variant in variants)
        {
            var loadClock = Stopwatch.StartNew();
            using (GlucoseEmbedder cold = GlucoseEmbedder.Create(model, new GlucoseEmbedderOptions { ModelFileName = FileOf(variant), IntraOpNumThreads = threads }))
            {
                Console.WriteLine($"{variant} load: {loadClock.Elapsed.TotalSeconds:F2} s (first Create in this process)");
            }

            // Warm loads, without and with the optimized-model cache (the first cached Create writes the entry).
            LoadBenchmark.WarmLoads w = LoadBenchmark.MeasureWarmLoads(model, new GlucoseEmbedderOptions { ModelFileName = FileOf(variant), IntraOpNumThreads = threads }, 3);
            Console.WriteLine(
                $"{variant} load, warm (best of 3): {w.PlainMs / 1000:F2} s; from the optimized-model cache {w.CachedMs / 1000:F2} s" +
                $" (OptimizedModelCacheDirectory; writing the entry took {w.WritingMs / 1000:F2} s)");
        }

        var cases = new List<(string Name, int BatchSize, int Budget)>();
        foreach (int bs in batchSizes)
        {
            cases.Add(($"bs={bs}", bs, int.MaxValue));
        }

        foreach (int budget in tokenBudgets)
        {
            if (budget > 0)
            {
                cases.Add(($"bs=128,tokens<={budget}", 128, budget));
            }
        }

        // --policies 32:4096,128:1024: batch size and token budget together (the defaults are 128:1024 on the CPU).
        foreach (string policy in (args.Optional("--policies") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            (int bs, int budget) = Args.Policy(policy);
            cases.Add(($"bs={bs},tokens<={budget}", bs, BenchEmbedder.TokenBudget(budget)));
        }

        // Each case loads every variant and alternates them round by round, so the int8/fp32 ratio and each
        // library/floor ratio come from the same minutes of this (noisy, shared) machine.
        foreach ((string name, int batchSize, int budget) in cases)
        {
            var runs = new List<(string Variant, BenchEmbedder Embedder, BenchEmbedder? WithoutLanes, InferenceSession Session, Floor Floor)>();
            bool bothLanes = args.Optional("--lanes") == "both";
            try
            {
                foreach (string variant in variants)
                {
                    // --lanes off: the library's embedders without the micro-batch lanes (one session, weights loaded by ONNX Runtime).
                    // --lanes both: a second embedder without the lanes (ParallelRuns = false).
                    var options = new GlucoseEmbedderOptions
                    {
                        ModelFileName = FileOf(variant), BatchSize = batchSize, IntraOpNumThreads = threads,
                        Performance = { MaxBatchTokens = budget, ParallelRuns = args.Optional("--lanes") != "off" },
                    };
                    BenchEmbedder embedder = BenchEmbedder.Open(model, options);
                    BenchEmbedder? withoutLanes = bothLanes ? BenchEmbedder.Open(model, BenchEmbedder.WithoutLanes(options)) : null;
                    using SessionOptions sessionOptions = OnnxEncoder.CreateSessionOptions(GlucoseExecutionProvider.Cpu, threads);
                    var session = new InferenceSession(Path.Combine(model, FileOf(variant)), sessionOptions);
                    runs.Add((variant, embedder, withoutLanes, session, new Floor(session, embedder.Embedder, corpus, batchSize, budget)));
                    embedder.Embedder.Encode(corpus.Take(Math.Min(corpus.Length, 64)).ToArray());
                    withoutLanes?.Embedder.Encode(corpus.Take(Math.Min(corpus.Length, 64)).ToArray());
                    runs[^1].Floor.RunOnce(warmupOnly: true);
                }

                var library = new double[runs.Count];
                var libraryWithoutLanes = new double[runs.Count];
                var bare = new double[runs.Count];
                var clock = new Stopwatch();
                for (int r = 0; r < rounds; r++)
                {
                    for (int v = 0; v < runs.Count; v++)
                    {
                        // Library first in even rounds, floor first in odd ones: a steady drift of the machine's speed
                        // over a round then favours neither.
                        if (r % 2 == 1)
                        {
                            bare[v] += runs[v].Floor.RunOnce(warmupOnly: false);
                        }

                        // --lanes both: the library also without its lanes (bulk batches split in two halves that run at
                        // once), before the lanes in odd rounds and after them in even ones.
                        for (int pass = 0; pass < (bothLanes ? 2 : 1); pass++)
                        {
                            bool lanes = !bothLanes || (pass + r) % 2 == 0;
                            GlucoseEmbedder embedder = (lanes ? runs[v].Embedder : runs[v].WithoutLanes!).Embedder;
                            clock.Restart();
                            embedder.Encode(corpus);
                            (lanes ? library : libraryWithoutLanes)[v] += clock.Elapsed.TotalSeconds;
                        }

                        if (r % 2 == 0)
                        {
                            bare[v] += runs[v].Floor.RunOnce(warmupOnly: false);
                        }
                    }
                }

                // Then block by block, library and floor taking turns: the ratio the targets are checked on. One pass per
                // round: a single pass moved the default policy's ratio from 0.97 to 1.07 between two runs of one day.
                var interleaved = new (double Library, double Floor)[runs.Count];
                for (int r = 0; r < rounds; r++)
                {
                    for (int v = 0; v < runs.Count; v++)
                    {
                        (double lib, double bareRun) = runs[v].Floor.RunInterleaved(runs[v].Embedder.Embedder);
                        interleaved[v] = (interleaved[v].Library + lib, interleaved[v].Floor + bareRun);
                    }
                }

                for (int v = 0; v < runs.Count; v++)
                {
                    double librarySpeed = corpus.Length * rounds / library[v];
                    double floorSpeed = corpus.Length * rounds / bare[v];
                    double wholeCorpusRatio = librarySpeed / floorSpeed;
                    double ratio = interleaved[v].Floor / interleaved[v].Library;
                    double gflops = runs[v].Floor.Flops(cost) * rounds / library[v] / 1e9;
                    speeds[$"{runs[v].Variant} {name}"] = librarySpeed;
                    Console.WriteLine(
                        $"{runs[v].Variant} {name} library={librarySpeed:F1} sent/s floor={floorSpeed:F1} sent/s ratio={ratio:F3} (interleaved by blocks of {Floor.BlockTokens} tokens; whole-corpus rounds {wholeCorpusRatio:F3})" +
                        $"  tokens/s={runs[v].Floor.RealTokens * rounds / library[v]:F0} (padded {runs[v].Floor.PaddedTokens * rounds / library[v]:F0})" +
                        $"  {gflops:F0} GFLOP/s = {gflops / peak:P0} of the fp32 peak" +
                        (bothLanes ? $"  without the lanes {corpus.Length * rounds / libraryWithoutLanes[v]:F1} sent/s (lanes {Formatting.SignedPercent(libraryWithoutLanes[v] / library[v] - 1)})" : ""));
                    if (ratio < worst)
                    {
                        worst = ratio;
                        worstCase = $"{runs[v].Variant} {name}";
                    }
                }

                if (runs.Count == 2)
                {
                    Console.WriteLine($"{runs[1].Variant}/{runs[0].Variant} {name}: library {library[0] / library[1]:F2}x, floor {bare[0] / bare[1]:F2}x");
                }
            }
            finally
            {
                foreach ((_, BenchEmbedder embedder, BenchEmbedder? withoutLanes, InferenceSession session, Floor floor) in runs)
                {
                    floor.Dispose();
                    session.Dispose();
                    embedder.Dispose();
                    withoutLanes?.Dispose();
                }
            }
        }

        string best32 = speeds.Where(k => k.Key.StartsWith("fp32 ", StringComparison.Ordinal)).OrderByDescending(k => k.Value).Select(k => k.Key).FirstOrDefault() ?? "-";
        string best8 = speeds.Where(k => k.Key.StartsWith("int8 ", StringComparison.Ordinal)).OrderByDescending(k => k.Value).Select(k => k.Key).FirstOrDefault() ?? "-";
        if (speeds.TryGetValue(best32, out double fastest32) && speeds.TryGetValue(best8, out double fastest8))
        {
            Console.WriteLine($"fastest: {best32} {fastest32:F1} sent/s, {best8} {fastest8:F1} sent/s ({fastest8 / fastest32:F2}x)");
        }

        Console.WriteLine($"worst library/floor ratio (interleaved): {worst:F3} ({worstCase})");
        Console.WriteLine($"peak RSS: {Machine.PeakRssMiB():F0} MiB");
        if (!args.Flag("--no-concurrent"))
        {
            return ConcurrentBenchmark.Run(args);
        }

        return 0;
    }

    private static string FileOf(string variant) => Args.GraphFile(variant);

    /// <summary>The bare floor: pre-built input tensors for the library's own batch plan, timing only Run.</summary>
    private sealed class Floor : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly List<(OrtValue[] Inputs, long Batch, long Sequence)> _batches = new();
        private readonly List<string[]> _texts = new();
        private readonly string[] _inputNames;
        private readonly string[] _outputNames;
        private readonly RunOptions _runOptions = new();

        public Floor(InferenceSession session, GlucoseEmbedder embedder, string[] corpus, int batchSize, int budget)
        {
            _session = session;
            _inputNames = session.InputMetadata.Keys.ToArray();
            _outputNames = [session.OutputMetadata.Keys.First()];
            int[][] ids = corpus.Select(s => embedder.Tokenizer.EncodeToIds(s, embedder.MaxSequenceLength)).ToArray();
            int[] order = BatchPlanner.OrderByLengthDescending(ids);
            int[] lengths = order.Select(i => ids[i].Length).ToArray();
            foreach ((int start, int count) in BatchPlanner.Plan(lengths, batchSize, budget))
            {
                int longest = lengths[start];
                var inputIds = new long[count * longest];
                var mask = new long[count * longest];
                Array.Fill(inputIds, GlucoseTokenizer.PaddingId);
                for (int b = 0; b < count; b++)
                {
                    int[] row = ids[order[start + b]];
                    for (int k = 0; k < row.Length; k++)
                    {
                        inputIds[(b * longest) + k] = row[k];
                        mask[(b * longest) + k] = 1;
                    }

                    RealTokens += row.Length;
                }

                PaddedTokens += count * longest;
                _texts.Add(Enumerable.Range(start, count).Select(i => corpus[order[i]]).ToArray());
                long[] shape = [count, longest];
                OrtValue[] inputs = _inputNames.Select(name => name switch
                {
                    "input_ids" => OrtValue.CreateTensorValueFromMemory(inputIds, shape),
                    "attention_mask" => OrtValue.CreateTensorValueFromMemory(mask, shape),
                    _ => OrtValue.CreateTensorValueFromMemory(new long[count * longest], shape),
                }).ToArray();
                _batches.Add((inputs, count, longest));
            }
        }

        public long RealTokens { get; }

        public long PaddedTokens { get; }

        public double Flops(ModelCost cost) => _batches.Sum(b => cost.Flops(b.Batch, b.Sequence));

        /// <summary>Runs every batch once; returns the seconds spent inside Run.</summary>
        public double RunOnce(bool warmupOnly)
        {
            double seconds = 0;
            foreach ((OrtValue[] inputs, _, _) in warmupOnly ? _batches.Take(2) : _batches)
            {
                long start = Stopwatch.GetTimestamp();
                using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
                seconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            return seconds;
        }

        /// <summary>
        /// Padded tokens per block of the interleaved pass: about 0.5 s of int8 and 1.5 s of fp32 work on 2 cores.
        /// </summary>
        public const int BlockTokens = 4096;

        /// <summary>
        /// Block by block (consecutive batches of at least <see cref="BlockTokens"/> padded tokens), the library's Encode
        /// of each batch's texts and then the floor's Run of the same batches, taking turns at going first: both see
        /// nearly the same moments of the machine, so the ratio is free of its drift. Each Encode call pays its per-call
        /// costs (tokenizing, sorting, pooling, result arrays) once per batch, so this is the stricter comparison.
        /// </summary>
        /// <remarks>
        /// Blocks, not single batches: after a run, ONNX Runtime's intra-op threads keep spinning on a core the next run
        /// needs (<c>session.intra_op.allow_spinning</c>, on by default; 10 ms and more here). Turn by turn batch by
        /// batch, the floor's spinning threads slowed every library batch that runs on the two lanes: int8 with the
        /// defaults took 7.42 s in the library against 6.62 s in its whole-corpus rounds; 20 ms of sleep before each
        /// library batch gave 6.84 against 6.68 s, and the floor without spinning 6.95 against 6.75 s and 7.19 against
        /// 6.98 s (its own time unchanged). A block pays that once per about 4,096 tokens instead of once per batch.
        /// </remarks>
        /// <returns>Seconds in the library's Encode and in the floor's Run.</returns>
        public (double Library, double Floor) RunInterleaved(GlucoseEmbedder embedder)
        {
            double library = 0;
            double floor = 0;
            int block = 0;
            for (int first = 0; first < _batches.Count; block++)
            {
                int end = first;
                long tokens = 0;
                while (end < _batches.Count && tokens < BlockTokens)
                {
                    tokens += _batches[end].Batch * _batches[end].Sequence;
                    end++;
                }

                if (block % 2 == 1)
                {
                    floor += RunBatches(first, end);
                }

                long start = Stopwatch.GetTimestamp();
                for (int i = first; i < end; i++)
                {
                    embedder.Encode(_texts[i]);
                }

                library += Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (block % 2 == 0)
                {
                    floor += RunBatches(first, end);
                }

                first = end;
            }

            return (library, floor);
        }

        private double RunBatches(int first, int end)
        {
            double seconds = 0;
            for (int i = first; i < end; i++)
            {
                seconds += RunBatch(i);
            }

            return seconds;
        }

        private double RunBatch(int index)
        {
            long start = Stopwatch.GetTimestamp();
            using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(_runOptions, _inputNames, _batches[index].Inputs, _outputNames);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        public void Dispose()
        {
            foreach ((OrtValue[] inputs, _, _) in _batches)
            {
                foreach (OrtValue value in inputs)
                {
                    value.Dispose();
                }
            }

            _runOptions.Dispose();
        }
    }
}
