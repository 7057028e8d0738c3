using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using GLuCoSE.Execution;

namespace GLuCoSE.Benchmarks;

/// <summary>
/// N threads each calling Encode(string) on single sentences, against batched Encode over the same sentences in
/// the same process; with one thread, also against a plain batch-1 Encode (a one-element list).
/// </summary>
internal static class ConcurrentBenchmark
{
    public static int Run(Args args)
    {
        string model = args.Required("--model");
        string[] corpus = Corpus.FromArgs(args);
        int[] threadCounts = args.Ints("--callers", [1, 4, 32]);
        string file = Args.GraphFile(args.Optional("--variant"));
        int? threads = args.OptionalInt("--threads");
        var options = new GlucoseEmbedderOptions { ModelFileName = file, IntraOpNumThreads = threads, Performance = { OptimizedModelCacheDirectory = args.Optional("--cache") } };
        if (args.Optional("--wait-ms") is string wait)
        {
            options.Performance.MicroBatchWait = TimeSpan.FromMilliseconds(double.Parse(wait, System.Globalization.CultureInfo.InvariantCulture));
        }

        using BenchEmbedder embedder = BenchEmbedder.Open(model, options);
        embedder.Embedder.Encode(corpus.Take(64).ToArray());

        // --also-batched 32:4096: a second yardstick, batched Encode with that batch size and token budget (on its own
        // embedder, timed in the same rounds), e.g. the defaults before they became 128:1024 on the CPU.
        using BenchEmbedder? other = args.Optional("--also-batched") is string policy
            && Args.Policy(policy) is (int otherBatchSize, int otherBatchTokens)
            ? BenchEmbedder.Open(model, new GlucoseEmbedderOptions
            {
                ModelFileName = file, IntraOpNumThreads = threads, BatchSize = otherBatchSize,
                Performance = { ParallelRuns = false, MaxBatchTokens = BenchEmbedder.TokenBudget(otherBatchTokens) },
            })
            : null;
        other?.Embedder.Encode(corpus.Take(64).ToArray());

        // Batched Encode and the concurrent callers alternate, round by round, so that drift in the machine's speed
        // (large on this shared VM) hits both alike; the summary line pools the rounds.
        int rounds = args.Int("--rounds", 2);

        // --lanes on|off|both: micro-batches on the two lanes (GlucoseEmbedderOptions.ParallelRuns) or one run
        // at a time; "both" runs the callers twice per round, lanes on and off in turn, against the same batched Encode.
        string lanesArg = args.Optional("--lanes") ?? "on";
        bool[] laneModes = lanesArg switch
        {
            "on" => [true],
            "off" => [false],
            "both" => [true, false],
            _ => throw new ArgumentException("--lanes takes on, off or both."),
        };

        // Callers with the lanes off run on a second embedder without them (ParallelRuns = false); batched Encode,
        // the yardstick, always runs on the first.
        using BenchEmbedder? withoutLanes = lanesArg == "on" ? null : BenchEmbedder.Open(model, BenchEmbedder.WithoutLanes(options));
        withoutLanes?.Embedder.Encode(corpus.Take(64).ToArray());
        Console.WriteLine(embedder.LaneEncoder is null
            ? "micro-batch lanes: none (ParallelRuns off, one intra-op thread, or weights that cannot be shared)"
            : $"micro-batch lanes: 2 on a second session, weights shared; --lanes {lanesArg}");
        foreach (int callers in threadCounts)
        {
            double batchedSeconds = 0;
            double otherSeconds = 0;
            var concurrentSeconds = new double[laneModes.Length];
            var allLatencies = laneModes.Select(_ => new List<double>()).ToArray();
            for (int round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                (_, long paddedStart, long runsStart) = embedder.RunStatistics;
                float[][] batched = embedder.Embedder.Encode(corpus);
                double batchedTime = clock.Elapsed.TotalSeconds;
                long batchedPadded = embedder.RunStatistics.PaddedTokens - paddedStart;
                long batchedRuns = embedder.RunStatistics.Runs - runsStart;
                batchedSeconds += batchedTime;
                if (other is not null)
                {
                    clock.Restart();
                    other.Embedder.Encode(corpus);
                    otherSeconds += clock.Elapsed.TotalSeconds;
                }

                for (int m = 0; m < laneModes.Length; m++)
                {
                    // Alternate which mode goes first, round by round.
                    int mode = (m + round) % laneModes.Length;
                    BenchEmbedder callersEmbedder = laneModes[mode] ? embedder : withoutLanes!;
                    (double concurrentTime, double[] latencies) = RunCallers(callersEmbedder, corpus, callers, batched, batchedTime, batchedPadded, batchedRuns, round, args.Flag("--replay"), laneModes.Length > 1 ? (laneModes[mode] ? " lanes on" : " lanes off") : "");
                    concurrentSeconds[mode] += concurrentTime;
                    allLatencies[mode].AddRange(latencies);
                }
            }

            for (int mode = 0; mode < laneModes.Length; mode++)
            {
                List<double> latencies = allLatencies[mode];
                latencies.Sort();
                double allP50 = latencies[latencies.Count / 2];
                double allP99 = latencies[(int)(latencies.Count * 0.99)];
                string label = laneModes.Length > 1 ? (laneModes[mode] ? " lanes=on" : " lanes=off") : "";
                Console.WriteLine(
                    $"concurrent callers={callers}{label} {corpus.Length * rounds / concurrentSeconds[mode]:F1} sent/s batched={corpus.Length * rounds / batchedSeconds:F1} sent/s" +
                    $" ratio={batchedSeconds / concurrentSeconds[mode]:F3} p50={allP50:F1} ms p99={allP99:F1} ms p99/p50={allP99 / allP50:F2} ({rounds} rounds pooled)" +
                    (other is null ? "" : $"; batched {other.BatchSize}:{other.MaxBatchTokens}={corpus.Length * rounds / otherSeconds:F1} sent/s, ratio to it={otherSeconds / concurrentSeconds[mode]:F3}"));
            }

            if (callers == 1)
            {
                ComparePlainBatchOne(embedder.Embedder, corpus);
            }
        }

        Console.WriteLine($"peak RSS: {Machine.PeakRssMiB():F0} MiB");
        return 0;
    }

    // The callers, each taking the next sentence until the corpus is done; prints the round's line.
    private static (double Seconds, double[] Latencies) RunCallers(
        BenchEmbedder embedder, string[] corpus, int callers, float[][] batched, double batchedTime, long batchedPadded, long batchedRuns, int round, bool replay, string label)
    {
        (long batchesBefore, long textsBefore) = embedder.Engine.Batcher.RoundStatistics;
        long laneBatchesBefore = embedder.Engine.LaneBatches;
        (TimeSpan runBefore, long paddedBefore, long runsBefore) = embedder.RunStatistics;
        var runLog = new List<(int Batch, int Sequence, long Ticks)>();
        embedder.Encoder.RunLog = runLog;
        var latencies = new double[corpus.Length];
        var results = new float[corpus.Length][];
        int next = -1;
        var workers = new Thread[callers];
        var clock = Stopwatch.StartNew();
        for (int w = 0; w < callers; w++)
        {
            workers[w] = new Thread(() =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < corpus.Length)
                {
                    long start = Stopwatch.GetTimestamp();
                    results[i] = embedder.Embedder.Encode(corpus[i]);
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            });
            workers[w].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        double concurrentTime = clock.Elapsed.TotalSeconds;
        embedder.Encoder.RunLog = null;
        (long batchesAfter, long textsAfter) = embedder.Engine.Batcher.RoundStatistics;
        long batches = batchesAfter - batchesBefore;
        double meanBatch = (double)(textsAfter - textsBefore) / Math.Max(1, batches);
        (TimeSpan runAfter, long paddedAfter, long runsAfter) = embedder.RunStatistics;
        double busy = (runAfter - runBefore).TotalSeconds / concurrentTime;
        (double maxDifference, int identical) = Compare(results, batched);
        double[] sorted = (double[])latencies.Clone();
        Array.Sort(sorted);
        double p50 = sorted[sorted.Length / 2];
        double p99 = sorted[(int)(sorted.Length * 0.99)];
        Console.WriteLine(
            $"  round {round + 1}{label}: callers={callers} {corpus.Length / concurrentTime:F1} sent/s, batched Encode {corpus.Length / batchedTime:F1} sent/s" +
            $" ({batchedPadded} padded tokens in {batchedRuns} runs), ratio={batchedTime / concurrentTime:F3} p50={p50:F1} ms p99={p99:F1} ms" +
            $" max|diff| vs batched={maxDifference:E1} (bit-identical {identical}/{corpus.Length}), mean micro-batch {meanBatch:F1}," +
            $" {embedder.Engine.LaneBatches - laneBatchesBefore} of {batches} on the two lanes, run time / wall time {busy:P0}," +
            $" {paddedAfter - paddedBefore} padded tokens in {runsAfter - runsBefore} runs");

        if (replay)
        {
            Replay(embedder.Encoder, runLog);
        }

        return (concurrentTime, latencies);
    }

    private static (double MaxDifference, int Identical) Compare(float[][] results, float[][] batched)
    {
        double maxDifference = 0;
        int identical = 0;
        for (int i = 0; i < results.Length; i++)
        {
            double d = 0;
            for (int k = 0; k < results[i].Length; k++)
            {
                d = Math.Max(d, Math.Abs(results[i][k] - batched[i][k]));
            }

            maxDifference = Math.Max(maxDifference, d);
            identical += d == 0 ? 1 : 0;
        }

        return (maxDifference, identical);
    }

    // Runs the micro-batches' shapes again, one after another on this thread alone: whether the runs were slower with
    // the callers around than the same shapes on a quiet process.
    private static void Replay(OnnxEncoder encoder, List<(int Batch, int Sequence, long Ticks)> log)
    {
        var random = new Random(1);
        double replayedMs = 0;
        foreach ((int batch, int sequence, _) in log)
        {
            replayedMs += SyntheticRuns.MedianRunMs(encoder, batch, sequence, 1, random);
        }

        // The same shapes again, each run three times in a row (median): what a per-shape cost table would say.
        double repeatedMs = 0;
        foreach ((int batch, int sequence, _) in log)
        {
            repeatedMs += SyntheticRuns.MedianRunMs(encoder, batch, sequence, 3, random);
        }

        double recorded = log.Sum(r => r.Ticks) * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(
            $"micro-batch shapes ({log.Count} runs): {recorded:F0} ms during the concurrent run; replayed alone, once each in order {replayedMs:F0} ms;" +
            $" each three times in a row (median) {repeatedMs:F0} ms");
    }

    // Alternates Encode(string) and Encode([text]) per sentence so drift in the machine hits both alike.
    private static void ComparePlainBatchOne(GlucoseEmbedder embedder, string[] corpus)
    {
        int count = Math.Min(corpus.Length, 600);
        var single = new double[count];
        var plain = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            embedder.Encode(corpus[i]);
            single[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            embedder.Encode([corpus[i]]);
            plain[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(single);
        Array.Sort(plain);
        Console.WriteLine(
            $"lone caller: Encode(string) p50={single[count / 2]:F2} ms mean={single.Average():F2} ms; plain batch-1 Encode([text]) p50={plain[count / 2]:F2} ms mean={plain.Average():F2} ms;" +
            $" ratio(mean)={single.Average() / plain.Average():F3}");
    }
}
