using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;

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
        string[] corpus = Corpus.Load(args.Required("--corpus"), args.Optional("--sentences") is string n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : null);
        int[] threadCounts = args.Ints("--callers", [1, 4, 32]);
        string file = args.Optional("--variant") == "int8" ? "model_int8.onnx" : "model.onnx";
        int? threads = args.Optional("--threads") is string t ? int.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : null;
        var options = new GlucoseEmbedderOptions { ModelFileName = file, IntraOpNumThreads = threads };
        if (args.Optional("--wait-ms") is string wait)
        {
            options.MicroBatchWait = TimeSpan.FromMilliseconds(double.Parse(wait, System.Globalization.CultureInfo.InvariantCulture));
        }

        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(model, options);
        embedder.Encode(corpus.Take(64).ToArray());

        foreach (int callers in threadCounts)
        {
            var clock = Stopwatch.StartNew();
            (_, long paddedStart, long runsStart) = embedder.RunStatistics;
            float[][] batched = embedder.Encode(corpus);
            double batchedSpeed = corpus.Length / clock.Elapsed.TotalSeconds;
            Console.WriteLine($"batched Encode: {batchedSpeed:F1} sent/s, padded tokens {embedder.RunStatistics.PaddedTokens - paddedStart} in {embedder.RunStatistics.Runs - runsStart} runs");

            (long batchesBefore, long textsBefore) = embedder.MicroBatchStatistics;
            (TimeSpan runBefore, long paddedBefore, long runsBefore) = embedder.RunStatistics;
            var latencies = new double[corpus.Length];
            var results = new float[corpus.Length][];
            int next = -1;
            var workers = new Thread[callers];
            clock.Restart();
            for (int w = 0; w < callers; w++)
            {
                workers[w] = new Thread(() =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < corpus.Length)
                    {
                        long start = Stopwatch.GetTimestamp();
                        results[i] = embedder.Encode(corpus[i]);
                        latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    }
                });
                workers[w].Start();
            }

            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            double speed = corpus.Length / clock.Elapsed.TotalSeconds;
            (long batchesAfter, long textsAfter) = embedder.MicroBatchStatistics;
            double meanBatch = (double)(textsAfter - textsBefore) / Math.Max(1, batchesAfter - batchesBefore);
            (TimeSpan runAfter, long paddedAfter, long runsAfter) = embedder.RunStatistics;
            double busy = (runAfter - runBefore).TotalSeconds / clock.Elapsed.TotalSeconds;
            double maxDifference = 0;
            int identical = 0;
            for (int i = 0; i < corpus.Length; i++)
            {
                double d = 0;
                for (int k = 0; k < results[i].Length; k++)
                {
                    d = Math.Max(d, Math.Abs(results[i][k] - batched[i][k]));
                }

                maxDifference = Math.Max(maxDifference, d);
                identical += d == 0 ? 1 : 0;
            }

            Array.Sort(latencies);
            double p50 = latencies[latencies.Length / 2];
            double p99 = latencies[(int)(latencies.Length * 0.99)];
            Console.WriteLine(
                $"concurrent callers={callers} {speed:F1} sent/s batched={batchedSpeed:F1} sent/s ratio={speed / batchedSpeed:F3}" +
                $" p50={p50:F1} ms p99={p99:F1} ms p99/p50={p99 / p50:F2} max|diff| vs batched={maxDifference:E1} (bit-identical {identical}/{corpus.Length}) mean micro-batch {meanBatch:F1}, model busy {busy:P0}, padded tokens {paddedAfter - paddedBefore} in {runsAfter - runsBefore} runs");

            if (callers == 1)
            {
                ComparePlainBatchOne(embedder, corpus);
            }
        }

        Console.WriteLine($"peak RSS: {Machine.PeakRssMiB():F0} MiB");
        return 0;
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
