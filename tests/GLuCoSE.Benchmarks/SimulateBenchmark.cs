using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using GLuCoSE.Engine;
using GLuCoSE.Execution;
using GLuCoSE.Scheduling;

namespace GLuCoSE.Benchmarks;

/// <summary>
/// What a micro-batching policy can reach at best: N closed-loop callers over the corpus, simulated with a cost per run
/// fitted on this machine (a fixed cost per run plus a cost per padded token), against batched Encode under the same
/// cost. No waits, wake-ups or noise: the numbers are ceilings for the policy, not predictions.
/// </summary>
/// <remarks>
/// <para>Policies:</para>
/// <list type="bullet">
/// <item><c>rounds</c>: the library's. Every caller's text joins the round; the round is split by
/// <see cref="BatchPlanner.SplitByPaddingCost"/> and its callers are released when the round ends.</item>
/// <item><c>pool-oldest</c>: continuous. After each run the released callers come straight back; the pool is split the
/// same way and the group holding the oldest request runs.</item>
/// <item><c>pool-best</c>: continuous; the group with the most real tokens per cost runs, unless the oldest request has
/// waited longer than the pool's whole cost, then its group runs.</item>
/// </list>
/// <para>With <c>--lane-cost F,T</c> (a run on one of two half-thread lanes while the other runs too), also:
/// <c>rounds+lanes</c>, the library's rounds cut in two halves that run at once; and <c>free-oldest</c> /
/// <c>free-all</c>, two lanes without rounds (see <see cref="SimulateFreeLanes"/>).</para>
/// </remarks>
internal static class SimulateBenchmark
{
    public static int Run(Args args)
    {
        string model = args.Required("--model");
        string[] corpus = Corpus.Load(args.Required("--corpus"), null);
        int callers = args.Int("--callers", 32);
        int batchSize = args.Int("--batch-size", 32);
        using BenchEmbedder embedder = BenchEmbedder.Open(model);
        EnginePolicy policy = embedder.Engine.Policy;
        int[] lengths = corpus.Select(text => embedder.Embedder.Tokenizer.EncodeToIds(text, 512).Length).ToArray();

        // The cost of a run: by default each [batch, sequence] shape the simulations meet is run on the model (median of
        // three, measured once); "--cost linear" fits fixed + per-token cost instead; "--cost F,T" gives them.
        string costOption = args.Optional("--cost") ?? "measured";
        Func<int, int, double> Cost;
        if (costOption == "measured")
        {
            var table = new Dictionary<(int, int), double>();
            Cost = (count, longest) =>
            {
                if (!table.TryGetValue((count, longest), out double ms))
                {
                    table[(count, longest)] = ms = Measure(embedder.Encoder, count, longest, 3);
                }

                return ms;
            };
            Console.WriteLine("cost model: every shape measured on this machine (median of 3 runs)");
        }
        else
        {
            (double fixedMs, double tokenMs) = costOption == "linear"
                ? FitCost(embedder.Encoder)
                : (double.Parse(costOption.Split(',')[0], CultureInfo.InvariantCulture), double.Parse(costOption.Split(',')[1], CultureInfo.InvariantCulture));
            Console.WriteLine($"cost model: {fixedMs:F2} ms per run + {tokenMs:F3} ms per padded token ({fixedMs / tokenMs:F1} tokens of fixed cost per run)");
            Cost = (count, longest) => fixedMs + (tokenMs * count * longest);
        }

        int[] ordered = lengths.OrderByDescending(l => l).ToArray();
        double batched = BatchPlanner.Plan(ordered, batchSize, int.MaxValue).Sum(b => Cost(b.Count, ordered[b.Start]));
        Console.WriteLine($"batched Encode (batch {batchSize}): {batched / 1000:F2} s simulated");
        int[] overheads = args.Ints("--overhead-tokens", [policy.RunOverheadTokens]);
        foreach (int overhead in overheads)
        foreach (string name in new[] { "rounds", "pool-oldest", "pool-best" })
        {
            Print(name, overhead, Simulate(name, lengths, callers, overhead, Cost, laneCost: null, policy));
        }

        if (args.Optional("--lane-cost") is string laneOption)
        {
            // Micro-batch lanes: two runs at once, each on half the threads, at "F,T" ms per run and per padded token of
            // one lane while the other runs too (shapes --threads 1 --parallel 2 gives the effective cost: double it).
            double laneFixed = double.Parse(laneOption.Split(',')[0], CultureInfo.InvariantCulture);
            double laneToken = double.Parse(laneOption.Split(',')[1], CultureInfo.InvariantCulture);
            double LaneCost(int count, int longest) => laneFixed + (laneToken * count * longest);
            Result library = Simulate("rounds", lengths, callers, policy.RunOverheadTokens, Cost, LaneCost, policy);
            Print("rounds+lanes", policy.RunOverheadTokens, library);
            foreach (int overhead in overheads)
            foreach (string name in new[] { "free-oldest", "free-all" })
            {
                Print(name, overhead, SimulateFreeLanes(name, lengths, callers, overhead, LaneCost));
            }
        }

        return 0;

        void Print(string name, int overhead, Result r) => Console.WriteLine(
            $"{name,-12} callers={callers} split overhead={overhead} ratio={batched / r.TotalMs:F3} padded tokens {r.Padded} in {r.Runs} runs" +
            $" p50={r.P50:F0} ms p99={r.P99:F0} ms p99/p50={r.P99 / r.P50:F2}");
    }

    private static Result Simulate(string policy, int[] lengths, int callers, int overhead, Func<int, int, double> cost, Func<int, int, double>? laneCost, EnginePolicy enginePolicy)
    {
        var pending = new List<Request>();
        int next = 0;
        for (; next < Math.Min(callers, lengths.Length); next++)
        {
            pending.Add(new Request(next, lengths[next], 0));
        }

        double now = 0;
        long padded = 0;
        int runs = 0;
        var latencies = new List<double>(lengths.Length);
        while (pending.Count > 0)
        {
            List<Request> sorted = pending.OrderByDescending(r => r.Length).ThenBy(r => r.Index).ToList();
            List<List<Request>> groups = BatchPlanner.SplitByPaddingCost(sorted.Select(r => r.Length).ToArray(), overhead, maxTokens: int.MaxValue)
                .Select(g => sorted.GetRange(g.Start, g.Count)).ToList();
            // The library's lanes: the round cut in two halves that run at once (EmbeddingEngine's micro-batch rounds).
            int[] sortedLengths = sorted.Select(r => r.Length).ToArray();
            if (policy == "rounds" && laneCost is not null && sorted.Count >= enginePolicy.MinLaneTexts
                && BatchPlanner.SplitInTwoLanes(
                    sortedLengths,
                    BatchPlanner.SplitByPaddingCost(sortedLengths, enginePolicy.RunOverheadTokens, int.MaxValue),
                    enginePolicy.HalfThreadsSlowdown,
                    int.MaxValue,
                    enginePolicy.RunOverheadTokens) is { } lanes)
            {
                now += Math.Max(lanes.First.Sum(g => laneCost(g.Count, sortedLengths[g.Start])), lanes.Second.Sum(g => laneCost(g.Count, sortedLengths[g.Start])));
                runs += lanes.First.Count + lanes.Second.Count;
                padded += lanes.First.Concat(lanes.Second).Sum(g => (long)g.Count * sortedLengths[g.Start]);
                Release(sorted);
                continue;
            }

            List<List<Request>> toRun = policy switch
            {
                "rounds" => groups,
                "pool-oldest" => [GroupOf(groups, Oldest(pending))],
                _ => [PickBest(groups, pending, now, cost)],
            };

            var released = new List<Request>();
            foreach (List<Request> group in toRun)
            {
                now += cost(group.Count, group[0].Length);
                padded += group.Count * group[0].Length;
                runs++;
                released.AddRange(group);
                if (policy != "rounds")
                {
                    Release(group);
                }
            }

            if (policy == "rounds")
            {
                Release(released);
            }

            void Release(List<Request> group)
            {
                foreach (Request r in group)
                {
                    pending.Remove(r);
                    latencies.Add(now - r.Submitted);
                    if (next < lengths.Length)
                    {
                        pending.Add(new Request(next, lengths[next], now));
                        next++;
                    }
                }
            }
        }

        latencies.Sort();
        return new Result(now, padded, runs, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
    }

    // Two lanes without rounds: a lane that comes free takes from the callers waiting then (free-all: all of them, split
    // by padding cost and run one group after another; free-oldest: the group holding the oldest request), and each
    // group's callers are released when it ends. What the lanes could reach without the round's barrier.
    private static Result SimulateFreeLanes(string policy, int[] lengths, int callers, int overhead, Func<int, int, double> laneCost)
    {
        var pending = new List<Request>();
        int next = 0;
        for (; next < Math.Min(callers, lengths.Length); next++)
        {
            pending.Add(new Request(next, lengths[next], 0));
        }

        var freeAt = new double[2];
        var running = new List<(double End, List<Request> Group)>();
        long padded = 0;
        int runs = 0;
        var latencies = new List<double>(lengths.Length);
        while (pending.Count > 0 || running.Count > 0)
        {
            int lane = freeAt[0] <= freeAt[1] ? 0 : 1;
            double now = freeAt[lane];
            foreach ((double end, List<Request> group) in running.Where(r => r.End <= now).ToList())
            {
                running.Remove((end, group));
                foreach (Request r in group)
                {
                    latencies.Add(end - r.Submitted);
                    if (next < lengths.Length)
                    {
                        pending.Add(new Request(next, lengths[next], end));
                        next++;
                    }
                }
            }

            List<Request> ready = pending.Where(r => r.Submitted <= now).ToList();
            if (ready.Count == 0)
            {
                if (running.Count == 0 && pending.Count == 0)
                {
                    break;
                }

                // Idle until the next group ends (on the other lane) or a caller comes back.
                freeAt[lane] = Math.Max(running.Count > 0 ? running.Min(r => r.End) : pending.Min(r => r.Submitted), now + 1e-6);
                continue;
            }

            List<Request> sorted = ready.OrderByDescending(r => r.Length).ThenBy(r => r.Index).ToList();
            List<List<Request>> groups = BatchPlanner.SplitByPaddingCost(sorted.Select(r => r.Length).ToArray(), overhead, maxTokens: int.MaxValue)
                .Select(g => sorted.GetRange(g.Start, g.Count)).ToList();
            double at = now;
            foreach (List<Request> group in policy == "free-all" ? groups : [GroupOf(groups, Oldest(ready))])
            {
                at += laneCost(group.Count, group[0].Length);
                padded += group.Count * group[0].Length;
                runs++;
                running.Add((at, group));
                pending.RemoveAll(group.Contains);
            }

            freeAt[lane] = at;
        }

        latencies.Sort();
        return new Result(freeAt.Max(), padded, runs, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
    }

    private static Request Oldest(List<Request> pending) => pending.OrderBy(r => r.Submitted).ThenBy(r => r.Index).First();

    private static List<Request> GroupOf(List<List<Request>> groups, Request request) => groups.First(g => g.Contains(request));

    private static List<Request> PickBest(List<List<Request>> groups, List<Request> pending, double now, Func<int, int, double> cost)
    {
        Request oldest = Oldest(pending);
        double poolCost = groups.Sum(g => cost(g.Count, g[0].Length));
        return now - oldest.Submitted > poolCost
            ? GroupOf(groups, oldest)
            : groups.OrderByDescending(g => g.Sum(r => r.Length) / cost(g.Count, g[0].Length)).First();
    }

    private static double Measure(OnnxEncoder encoder, int batch, int sequence, int reps) =>
        SyntheticRuns.MedianRunMs(encoder, batch, sequence, reps, new Random((batch * 1000) + sequence));

    // Least squares of run time against padded tokens over a few shapes like the micro-batches': fixed + per token.
    private static (double FixedMs, double TokenMs) FitCost(OnnxEncoder encoder)
    {
        var points = new List<(double Tokens, double Ms)>();
        foreach (int sequence in new[] { 8, 12, 20 })
        {
            foreach (int batch in new[] { 1, 2, 4, 8, 16, 32 })
            {
                Measure(encoder, batch, sequence, 1);
                points.Add((batch * sequence, Measure(encoder, batch, sequence, Math.Max(3, 1500 / (batch * sequence)))));
            }
        }

        double meanX = points.Average(p => p.Tokens);
        double meanY = points.Average(p => p.Ms);
        double slope = points.Sum(p => (p.Tokens - meanX) * (p.Ms - meanY)) / points.Sum(p => (p.Tokens - meanX) * (p.Tokens - meanX));
        return (meanY - (slope * meanX), slope);
    }

    private sealed record Request(int Index, int Length, double Submitted);

    private readonly record struct Result(double TotalMs, long Padded, int Runs, double P50, double P99);
}
