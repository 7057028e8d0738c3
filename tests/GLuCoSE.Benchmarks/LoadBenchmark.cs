using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace GLuCoSE.Benchmarks;

/// <summary>
/// Model load time: the first Create in a process (native library load included), repeated Creates, and Creates
/// from the optimized-model cache (GlucoseEmbedderOptions.OptimizedModelCacheDirectory); with --corpus, also whether
/// the cached graph gives the same embeddings at the same speed.
/// </summary>
internal static class LoadBenchmark
{
    public static int Run(Args args)
    {
        string model = args.Required("--model");
        int repeats = args.Int("--repeats", 5);
        foreach (string file in new[] { "model.onnx", "model_int8.onnx" })
        {
            if (!File.Exists(Path.Combine(model, file)))
            {
                continue;
            }

            var options = new GlucoseEmbedderOptions { ModelFileName = file };
            (double firstCreate, double firstLanes) = TimeCreate(model, options);
            Console.WriteLine($"{file}: first Create {firstCreate:F0} ms; micro-batch lanes open {firstLanes:F0} ms after the start");

            // The default opens the micro-batch lanes' second session too (ParallelRuns); one session alone, in turn.
            var single = new GlucoseEmbedderOptions { ModelFileName = file, Performance = { ParallelRuns = false } };
            double best = double.MaxValue;
            double bestLanes = double.MaxValue;
            double bestSingle = double.MaxValue;
            for (int i = 0; i < repeats; i++)
            {
                (double create, double lanes) = TimeCreate(model, options);
                best = Math.Min(best, create);
                bestLanes = Math.Min(bestLanes, lanes);
                bestSingle = Math.Min(bestSingle, TimeCreate(model, single).CreateMs);
            }

            Console.WriteLine(
                $"{file}: repeated Create best of {repeats} {best:F0} ms, lanes open after {bestLanes:F0} ms" +
                $" (ParallelRuns = false: Create {bestSingle:F0} ms)");

            string? corpusFile = args.Optional("--corpus");
            WarmLoads w = MeasureWarmLoads(model, options, repeats, cached =>
            {
                if (corpusFile is not null)
                {
                    CompareRuns(model, options, cached, Corpus.Load(corpusFile, 512), file);
                }
            });
            Console.WriteLine($"{file}: Create writing the optimized-model cache {w.WritingMs:F0} ms");
            Console.WriteLine(
                $"{file}: Create best of {repeats}, alternating: without cache {w.PlainMs:F0} ms, from the cache {w.CachedMs:F0} ms" +
                $" ({w.CachedMs / w.PlainMs:P0}); cache entry {w.EntryBytes / 1048576.0:F0} MiB");
        }

        return 0;
    }

    /// <summary>
    /// One Create, disposed after: the time until it returns (the main session is ready) and until the micro-batch lanes'
    /// session (opened at once here; the library opens it when a batch first can use it) is ready too.
    /// </summary>
    private static (double CreateMs, double LanesMs) TimeCreate(string model, GlucoseEmbedderOptions options)
    {
        var clock = Stopwatch.StartNew();
        BenchEmbedder embedder = BenchEmbedder.Open(model, options, waitForLanes: false);
        double create = clock.Elapsed.TotalMilliseconds;
        embedder.Engine.Sessions.OpenLanes().Wait();
        double lanes = clock.Elapsed.TotalMilliseconds;
        embedder.Dispose();
        return (create, lanes);
    }

    /// <summary>
    /// Creates with <paramref name="options"/> as they are and with the optimized-model cache in a fresh temporary
    /// folder, alternating, best of <paramref name="repeats"/> each; the first cached Create writes the entry.
    /// <paramref name="whileCached"/> gets the cached options before the folder is deleted.
    /// </summary>
    public static WarmLoads MeasureWarmLoads(string model, GlucoseEmbedderOptions options, int repeats, Action<GlucoseEmbedderOptions>? whileCached = null)
    {
        string cache = Path.Combine(Path.GetTempPath(), $"glucose-load-{Guid.NewGuid():N}");
        try
        {
            GlucoseEmbedderOptions cached = options.ValidatedCopy();
            cached.Performance.OptimizedModelCacheDirectory = cache;
            double writing = TimeCreate(model, cached).CreateMs;
            double plain = double.MaxValue;
            double fromCache = double.MaxValue;
            for (int i = 0; i < repeats; i++)
            {
                plain = Math.Min(plain, TimeCreate(model, options).CreateMs);
                fromCache = Math.Min(fromCache, TimeCreate(model, cached).CreateMs);
            }

            whileCached?.Invoke(cached);
            long bytes = new DirectoryInfo(cache).EnumerateFiles().Sum(f => f.Length);
            return new WarmLoads(writing, plain, fromCache, bytes);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    // The graph read from the cache runs without ONNX Runtime's optimizers: same embeddings, same speed?
    private static void CompareRuns(string model, GlucoseEmbedderOptions plainOptions, GlucoseEmbedderOptions cachedOptions, string[] texts, string file)
    {
        using BenchEmbedder plainBench = BenchEmbedder.Open(model, plainOptions);
        using BenchEmbedder cachedBench = BenchEmbedder.Open(model, cachedOptions);
        GlucoseEmbedder plain = plainBench.Embedder;
        GlucoseEmbedder cached = cachedBench.Embedder;
        float[][] expected = plain.Encode(texts);
        float[][] actual = cached.Encode(texts);
        int identical = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            identical += expected[i].AsSpan().SequenceEqual(actual[i]) ? 1 : 0;
        }

        double plainSeconds = 0;
        double cachedSeconds = 0;
        for (int round = 0; round < 3; round++)
        {
            var clock = Stopwatch.StartNew();
            plain.Encode(texts);
            plainSeconds += clock.Elapsed.TotalSeconds;
            clock.Restart();
            cached.Encode(texts);
            cachedSeconds += clock.Elapsed.TotalSeconds;
        }

        Console.WriteLine(
            $"{file}: {texts.Length} texts, from the cache vs without: bit-identical {identical}/{texts.Length}," +
            $" encode time ratio {cachedSeconds / plainSeconds:F3} (3 rounds alternating)");
    }

    /// <summary>Milliseconds to write the cache entry, for a warm Create without and with the cache; the entry's size.</summary>
    internal readonly record struct WarmLoads(double WritingMs, double PlainMs, double CachedMs, long EntryBytes);
}
