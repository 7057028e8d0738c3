// GLuCoSE benchmarks. Commands:
//   throughput --model DIR --corpus FILE   library Encode vs the bare ONNX Runtime floor (fp32 and int8, several batch
//                                          sizes), then concurrent single-sentence callers, load time, memory;
//                                          --lanes on|off|both as for concurrent (off also for the library's embedders)
//   concurrent --model DIR --corpus FILE   only the concurrent scenario; --lanes on|off|both: micro-batch lanes
//                                          (GlucoseEmbedderOptions.Performance.ParallelRuns) on, off, or both in
//                                          turn (off and both: the callers without lanes run on a second embedder
//                                          opened with ParallelRuns = false, whose session adds to peak RSS);
//                                          --also-batched BS:TOKENS: a second batched-Encode yardstick
//   memory     --model DIR --corpus FILE   RSS across repeated passes over the corpus; --lanes off: one session
//                                          (concurrent and memory take --cache DIR: Performance.OptimizedModelCacheDirectory)
//   policies   --model DIR --corpus FILE   batching policies taking turns round by round (--policies 32:4096,128:1024/off,
//                                          128:1024: batch size, token budget, /off without the lanes; --variant int8)
//   load       --model DIR                 model load time, and whether a saved optimized model loads faster
//   shapes     --model DIR                 bare Run time per [batch, sequence] shape (the micro-batch cost model);
//                                          --profile: time per operator type; --mixed: cost of changing shapes
//   simulate   --model DIR --corpus FILE   ceilings of micro-batching policies for N closed-loop callers, simulated
//                                          with a cost model fitted on this machine; --lane-cost F,T adds the
//                                          micro-batch lanes (library) and lanes without rounds
//   quantize   --model DIR --corpus FILE   .NET int8 quantization (per tensor, per column): time, and fidelity to fp32
//                                          over --sentences N (1000) against quantize_dynamic's numerics emulated in fp32
//   micro      [BenchmarkDotNet args]      tokenizer and pooling micro-benchmarks
// DIR comes from `../shared/tools/make-bench-model DIR all`; FILE is a JSON array of sentences.
using System;
using BenchmarkDotNet.Running;
using GLuCoSE.Benchmarks;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: GLuCoSE.Benchmarks throughput|concurrent|policies|memory|load|shapes|simulate|quantize|micro [options]  (see Program.cs)");
    return 2;
}

switch (args[0])
{
    case "throughput":
        return ThroughputBenchmark.Run(new Args(args[1..]));
    case "concurrent":
        return ConcurrentBenchmark.Run(new Args(args[1..]));
    case "shapes":
        return ShapesBenchmark.Run(new Args(args[1..]));
    case "simulate":
        return SimulateBenchmark.Run(new Args(args[1..]));
    case "policies":
        return PoliciesBenchmark.Run(new Args(args[1..]));
    case "load":
        return LoadBenchmark.Run(new Args(args[1..]));
    case "memory":
        return MemoryBenchmark.Run(new Args(args[1..]));
    case "quantize":
        return QuantizeBenchmark.Run(new Args(args[1..]));
    case "micro":
        BenchmarkSwitcher.FromAssembly(typeof(Machine).Assembly).Run(args[1..]);
        return 0;
    default:
        Console.Error.WriteLine($"unknown command '{args[0]}'");
        return 2;
}
