using System;
using System.Diagnostics;
using System.IO;
using GLuCoSE.Inference;
using Microsoft.ML.OnnxRuntime;

namespace GLuCoSE.Benchmarks;

/// <summary>
/// Model load time: the first Create in a process (native library load included), repeated Creates, and whether
/// ONNX Runtime's saved optimized model (SessionOptions.OptimizedModelFilePath) would load faster.
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

            // The optimized model has to sit beside the original: it keeps the external-data references.
            string optimized = Path.Combine(model, $"optimized-{Guid.NewGuid():N}.onnx");
            try
            {
                using (SessionOptions save = OnnxEncoder.CreateSessionOptions(GlucoseExecutionProvider.Cpu, null))
                {
                    save.OptimizedModelFilePath = optimized;
                    using var session = new InferenceSession(Path.Combine(model, file), save);
                }

                double plain = double.MaxValue;
                double cached = double.MaxValue;
                for (int i = 0; i < repeats; i++)
                {
                    plain = Math.Min(plain, TimeSession(Path.Combine(model, file)));
                    cached = Math.Min(cached, TimeSession(optimized));
                }

                Console.WriteLine($"{file}: InferenceSession best of {repeats}: original {plain:F0} ms, saved optimized model {cached:F0} ms");
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or IOException or UnauthorizedAccessException)
            {
                Console.WriteLine($"{file}: could not save an optimized model beside it: {ex.Message}");
            }
            finally
            {
                File.Delete(optimized);
            }
        }

        return 0;
    }

    private static double TimeSession(string path)
    {
        using SessionOptions options = OnnxEncoder.CreateSessionOptions(GlucoseExecutionProvider.Cpu, null);
        var clock = Stopwatch.StartNew();
        using var session = new InferenceSession(path, options);
        return clock.Elapsed.TotalMilliseconds;
    }
}
