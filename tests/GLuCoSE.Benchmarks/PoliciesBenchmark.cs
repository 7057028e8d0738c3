using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace GLuCoSE.Benchmarks;

/// <summary>
/// Batching policies against one another: one embedder per policy (batch size, token budget, lanes on or off), all
/// loaded at once and taking turns round by round over the corpus, so the machine's drift (large on a shared VM) hits
/// each alike. This is how the defaults were chosen; separate <c>throughput</c> cases, minutes apart, cannot rank
/// policies that differ by less than the drift.
/// </summary>
internal static class PoliciesBenchmark
{
    public static int Run(Args args)
    {
        string model = args.Required("--model");
        string[] corpus = Corpus.FromArgs(args);
        string file = Args.GraphFile(args.Optional("--variant"));
        int rounds = args.Int("--rounds", 4);

        // BS:TOKENS, with "/off" for the lanes off (bulk batches run whole on every thread): 128:1024,128:1024/off,32:4096
        string[] policies = args.List("--policies", ["32:4096", "128:1024/off", "128:1024"]);
        Console.WriteLine($"# {Machine.Describe()}");
        Console.WriteLine($"# {string.Join(' ', Environment.GetCommandLineArgs()[1..])}");
        var embedders = new List<BenchEmbedder>();
        var lanes = new bool[policies.Length];
        try
        {
            for (int p = 0; p < policies.Length; p++)
            {
                string[] parts = policies[p].Split('/');
                (int batchSize, int maxBatchTokens) = Args.Policy(parts[0]);
                lanes[p] = parts.Length < 2 || parts[1] != "off";
                BenchEmbedder embedder = BenchEmbedder.Open(model, new GlucoseEmbedderOptions
                {
                    ModelFileName = file, BatchSize = batchSize,
                    Performance = { MaxBatchTokens = BenchEmbedder.TokenBudget(maxBatchTokens), ParallelRuns = lanes[p] },
                });
                embedders.Add(embedder);
                embedder.Embedder.Encode(corpus.Take(Math.Min(corpus.Length, 256)).ToArray());
            }

            var seconds = new double[policies.Length];
            var clock = new Stopwatch();
            for (int round = 0; round < rounds; round++)
            {
                var line = new List<string>();
                for (int k = 0; k < policies.Length; k++)
                {
                    // Each round starts one policy later, so none always runs first or last.
                    int p = (k + round) % policies.Length;
                    clock.Restart();
                    embedders[p].Embedder.Encode(corpus);
                    double s = clock.Elapsed.TotalSeconds;
                    seconds[p] += s;
                    line.Add($"{policies[p]} {corpus.Length / s:F1}");
                }

                Console.WriteLine($"  round {round + 1}: {string.Join(", ", line)} sent/s");
            }

            for (int p = 0; p < policies.Length; p++)
            {
                Console.WriteLine(
                    $"{file} {policies[p],-14} {corpus.Length * rounds / seconds[p]:F1} sent/s  {seconds[0] / seconds[p]:F3}x {policies[0]}" +
                    $"  ({embedders[p].BatchSize} texts, {embedders[p].MaxBatchTokens} tokens per run; lanes {(lanes[p] ? embedders[p].Engine.Sessions.LanesState : "off")})");
            }
        }
        finally
        {
            foreach (BenchEmbedder embedder in embedders)
            {
                embedder.Dispose();
            }
        }

        return 0;
    }
}
