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
            var clock = Stopwatch.StartNew();
            GlucoseEmbedder.Create(model, options).Dispose();
            Console.WriteLine($"{file}: first Create {clock.Elapsed.TotalMilliseconds:F0} ms");
            double best = double.MaxValue;
            for (int i = 0; i < repeats; i++)
            {
                clock.Restart();
                GlucoseEmbedder.Create(model, options).Dispose();
                best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine($"{file}: repeated Create best of {repeats} {best:F0} ms");

            // The library's optimized-model cache (GlucoseEmbedderOptions.OptimizedModelCacheDirectory): the first
            // Create writes the entry, the later ones read it.
            string cache = Path.Combine(Path.GetTempPath(), $"glucose-load-{Guid.NewGuid():N}");
            try
            {
                var cached = new GlucoseEmbedderOptions { ModelFileName = file, OptimizedModelCacheDirectory = cache };
                clock.Restart();
                GlucoseEmbedder.Create(model, cached).Dispose();
                Console.WriteLine($"{file}: Create writing the optimized-model cache {clock.Elapsed.TotalMilliseconds:F0} ms");
                double plain = double.MaxValue;
                double fromCache = double.MaxValue;
                for (int i = 0; i < repeats; i++)
                {
                    clock.Restart();
                    GlucoseEmbedder.Create(model, options).Dispose();
                    plain = Math.Min(plain, clock.Elapsed.TotalMilliseconds);
                    clock.Restart();
                    GlucoseEmbedder.Create(model, cached).Dispose();
                    fromCache = Math.Min(fromCache, clock.Elapsed.TotalMilliseconds);
                }

                if (args.Optional("--corpus") is string corpusFile)
                {
                    CompareRuns(model, options, cached, Corpus.Load(corpusFile, 512), file);
                }

                long bytes = new DirectoryInfo(cache).EnumerateFiles().Sum(f => f.Length);
                Console.WriteLine(
                    $"{file}: Create best of {repeats}, alternating: without cache {plain:F0} ms, from the cache {fromCache:F0} ms" +
                    $" ({fromCache / plain:P0}); cache entry {bytes / 1048576.0:F0} MiB");
            }
            finally
            {
                Directory.Delete(cache, recursive: true);
            }
        }

        return 0;
    }

    // The graph read from the cache runs without ONNX Runtime's optimizers: same embeddings, same speed?
    private static void CompareRuns(string model, GlucoseEmbedderOptions plainOptions, GlucoseEmbedderOptions cachedOptions, string[] texts, string file)
    {
        using GlucoseEmbedder plain = GlucoseEmbedder.Create(model, plainOptions);
        using GlucoseEmbedder cached = GlucoseEmbedder.Create(model, cachedOptions);
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
}
