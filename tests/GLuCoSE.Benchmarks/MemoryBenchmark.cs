using System;
using System.Diagnostics;

namespace GLuCoSE.Benchmarks;

/// <summary>RSS and handle count after each of several passes of batched Encode over the corpus.</summary>
internal static class MemoryBenchmark
{
    public static int Run(Args args)
    {
        string model = args.Required("--model");
        string[] corpus = Corpus.FromArgs(args);
        int passes = args.Int("--passes", 20);
        var options = new GlucoseEmbedderOptions
        {
            ModelFileName = Args.GraphFile(args.Optional("--variant")),
            // The library's batching defaults unless given (until this session: 32 texts and no token budget).
            BatchSize = args.OptionalInt("--batch-size"),
            Performance =
            {
                MaxBatchTokens = args.OptionalInt("--max-batch-tokens") is int tokens ? BenchEmbedder.TokenBudget(tokens) : null,
                ParallelRuns = args.Optional("--lanes") != "off",
                OptimizedModelCacheDirectory = args.Optional("--cache"),
            },
        };

        Console.WriteLine($"# {Machine.Describe()}; before load: RSS {Machine.RssMiB():F0} MiB");
        using BenchEmbedder embedder = BenchEmbedder.Open(model, options);
        Console.WriteLine($"after load: RSS {Machine.RssMiB():F0} MiB, handles {Machine.HandleCount()}; batches of up to {embedder.BatchSize} texts and {embedder.MaxBatchTokens} padded tokens");
        double second = 0;
        double last = 0;
        for (int pass = 1; pass <= passes; pass++)
        {
            var clock = Stopwatch.StartNew();
            embedder.Embedder.Encode(corpus);
            last = Machine.RssMiB();
            if (pass == 2)
            {
                second = last;
            }

            Console.WriteLine($"pass {pass}: {clock.Elapsed.TotalSeconds:F1} s, RSS {last:F0} MiB, peak {Machine.PeakRssMiB():F0} MiB, handles {Machine.HandleCount()}");
        }

        if (passes >= 2)
        {
            Console.WriteLine($"RSS after pass {passes} vs pass 2: {Formatting.SignedPercent((last / second) - 1)}; peak RSS {Machine.PeakRssMiB():F0} MiB");
        }

        return 0;
    }
}
