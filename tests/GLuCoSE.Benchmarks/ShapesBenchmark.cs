using System;
using System.Diagnostics;
using System.IO;
using System.Collections.Generic;
using System.Linq;
using GLuCoSE.Execution;
using Microsoft.ML.OnnxRuntime;

namespace GLuCoSE.Benchmarks;

/// <summary>Bare Run time per [batch, sequence] shape: the cost model behind the micro-batch split.</summary>
internal static class ShapesBenchmark
{
    public static int Run(Args args)
    {
        string model = args.Required("--model");
        string file = Args.GraphFile(args.Optional("--variant"));
        int[] batches = args.Ints("--batches", [1, 2, 4, 8, 16, 32]);
        int[] sequences = args.Ints("--sequences", [8, 16, 32, 64]);
        int? threads = args.OptionalInt("--threads");
        int parallel = args.Int("--parallel", 1);
        using SessionOptions options = OnnxEncoder.CreateSessionOptions(GlucoseExecutionProvider.Cpu, threads);
        if (args.Optional("--config") is string config)
        {
            // Session configuration entries to try, "key=value;key=value" (see onnxruntime_session_options_config_keys.h).
            foreach (string entry in config.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] pair = entry.Split('=', 2);
                options.AddSessionConfigEntry(pair[0], pair[1]);
            }
        }

        if (args.Flag("--profile"))
        {
            // ONNX Runtime's per-node trace (chrome://tracing JSON) in the temp folder, summarized by operator below.
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "glucose-shapes");
        }

        using var session = new InferenceSession(Path.Combine(model, file), options);
        string[] inputNames = session.InputMetadata.Keys.ToArray();
        string[] outputNames = [session.OutputMetadata.Keys.First()];
        if (args.Flag("--mixed"))
        {
            return Mixed(session, inputNames, outputNames, batches, sequences);
        }

        Console.WriteLine("batch sequence ms/run us/token");
        foreach (int sequence in sequences)
        {
            foreach (int batch in batches)
            {
                var ids = new long[batch * sequence];
                var random = new Random(1);
                for (int i = 0; i < ids.Length; i++)
                {
                    ids[i] = random.Next(5, 30000);
                }

                var mask = Enumerable.Repeat(1L, ids.Length).ToArray();
                using OrtValue idValue = OrtValue.CreateTensorValueFromMemory(ids, [batch, sequence]);
                using OrtValue maskValue = OrtValue.CreateTensorValueFromMemory(mask, [batch, sequence]);
                OrtValue[] inputs = inputNames.Select(n => n == "input_ids" ? idValue : maskValue).ToArray();
                using (session.Run(new RunOptions(), inputNames, inputs, outputNames))
                {
                }

                int reps = Math.Max(2, 2000 / (batch * sequence));
                // With --parallel N, N threads run the same shape at once on the one session: ms/run is wall time over
                // all their runs (run-level parallelism against the intra-op threads' op-level parallelism).
                var clock = Stopwatch.StartNew();
                System.Threading.Tasks.Parallel.For(0, parallel, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = parallel }, _ =>
                {
                    for (int r = 0; r < reps; r++)
                    {
                        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(new RunOptions(), inputNames, inputs, outputNames);
                    }
                });

                double ms = clock.Elapsed.TotalMilliseconds / (reps * parallel);
                Console.WriteLine($"{batch} {sequence} {ms:F2} {ms * 1000 / (batch * sequence):F1}");
            }
        }

        if (options.EnableProfiling)
        {
            PrintProfile(session.EndProfiling());
        }

        return 0;
    }

    // Every shape once per sweep, in turn, against the same shapes each repeated: whether changing shapes between
    // runs costs ONNX Runtime anything beyond the compute (allocation plans are cached per shape).
    private static int Mixed(InferenceSession session, string[] inputNames, string[] outputNames, int[] batches, int[] sequences)
    {
        var shapes = (from b in batches from q in sequences select (b, q)).ToArray();
        var random = new Random(1);
        var values = shapes.Select(shape =>
        {
            var ids = new long[shape.b * shape.q];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = random.Next(5, 30000);
            }

            var mask = Enumerable.Repeat(1L, ids.Length).ToArray();
            OrtValue idValue = OrtValue.CreateTensorValueFromMemory(ids, [shape.b, shape.q]);
            OrtValue maskValue = OrtValue.CreateTensorValueFromMemory(mask, [shape.b, shape.q]);
            return inputNames.Select(n => n == "input_ids" ? idValue : maskValue).ToArray();
        }).ToArray();
        const int Sweeps = 6;
        for (int round = 0; round < 2; round++)
        {
            var clock = Stopwatch.StartNew();
            for (int sweep = 0; sweep < Sweeps; sweep++)
            {
                foreach (OrtValue[] inputs in values)
                {
                    using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(new RunOptions(), inputNames, inputs, outputNames);
                }
            }

            double mixed = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            foreach (OrtValue[] inputs in values)
            {
                for (int sweep = 0; sweep < Sweeps; sweep++)
                {
                    using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(new RunOptions(), inputNames, inputs, outputNames);
                }
            }

            double repeated = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine($"{shapes.Length} shapes x {Sweeps}: shapes in turn {mixed:F0} ms, each repeated {repeated:F0} ms, ratio {mixed / repeated:F3}");
        }

        return 0;
    }

    // Time per run by operator type, from ONNX Runtime's trace: where a run's time goes (the first run, the warm-up, is
    // left out: it includes page faults on the weights; run one shape at a time).
    private static void PrintProfile(string file)
    {
        using var stream = File.OpenRead(file);
        using var json = System.Text.Json.JsonDocument.Parse(stream);
        var runs = json.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("name").GetString() == "model_run")
            .Select(e => (Start: e.GetProperty("ts").GetDouble(), End: e.GetProperty("ts").GetDouble() + e.GetProperty("dur").GetDouble()))
            .OrderBy(r => r.Start)
            .ToList();
        double warmUpEnd = runs.Count > 1 ? runs[0].End : double.NegativeInfinity;
        int runCount = Math.Max(runs.Count - 1, 1);
        var byOperator = new Dictionary<string, (double Microseconds, int Nodes)>(StringComparer.Ordinal);
        foreach (System.Text.Json.JsonElement e in json.RootElement.EnumerateArray())
        {
            string name = e.GetProperty("name").GetString() ?? string.Empty;
            if (e.GetProperty("cat").GetString() == "Node" && name.EndsWith("_kernel_time", StringComparison.Ordinal)
                && e.GetProperty("ts").GetDouble() > warmUpEnd)
            {
                string op = e.GetProperty("args").GetProperty("op_name").GetString() ?? "?";
                (double us, int nodes) = byOperator.GetValueOrDefault(op);
                byOperator[op] = (us + e.GetProperty("dur").GetDouble(), nodes + 1);
            }
        }

        File.Delete(file);
        double total = byOperator.Values.Sum(v => v.Microseconds);
        Console.WriteLine($"operators over {runCount} runs after the warm-up (kernel time per run; {total / runCount / 1000:F2} ms in all):");
        foreach ((string op, (double us, int nodes)) in byOperator.OrderByDescending(kv => kv.Value.Microseconds).Take(16))
        {
            Console.WriteLine($"  {op,-24} {us / runCount / 1000,8:F2} ms {us / total,6:P1}  {nodes / runCount,4} nodes");
        }
    }
}
