using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using GLuCoSE.Inference;
using Microsoft.ML.OnnxRuntime;

namespace GLuCoSE.Benchmarks;

/// <summary>Bare Run time per [batch, sequence] shape: the cost model behind the micro-batch split.</summary>
internal static class ShapesBenchmark
{
    public static int Run(Args args)
    {
        string model = args.Required("--model");
        string file = args.Optional("--variant") == "int8" ? "model_int8.onnx" : "model.onnx";
        int[] batches = args.Ints("--batches", [1, 2, 4, 8, 16, 32]);
        int[] sequences = args.Ints("--sequences", [8, 16, 32, 64]);
        int? threads = args.Optional("--threads") is string t ? int.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : null;
        using SessionOptions options = OnnxEncoder.CreateSessionOptions(GlucoseExecutionProvider.Cpu, threads);
        using var session = new InferenceSession(Path.Combine(model, file), options);
        string[] inputNames = session.InputMetadata.Keys.ToArray();
        string[] outputNames = [session.OutputMetadata.Keys.First()];
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
                var clock = Stopwatch.StartNew();
                for (int r = 0; r < reps; r++)
                {
                    using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(new RunOptions(), inputNames, inputs, outputNames);
                }

                double ms = clock.Elapsed.TotalMilliseconds / reps;
                Console.WriteLine($"{batch} {sequence} {ms:F2} {ms * 1000 / (batch * sequence):F1}");
            }
        }

        return 0;
    }
}
