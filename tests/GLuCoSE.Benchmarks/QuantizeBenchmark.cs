using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using GLuCoSE.Optimization;
using GLuCoSE.Optimization.Onnx;
using Google.Protobuf;

namespace GLuCoSE.Benchmarks;

/// <summary>
/// <c>quantize --model DIR --corpus FILE [--sentences 1000]</c> (or <c>--convert-only</c>: the conversion alone, its time and peak memory;
/// <c>--speed fp32,int8,FILE</c>: graphs taking turns block by block): quantizes DIR's fp32 graph in .NET (per tensor, as
/// <c>quantize_dynamic</c> does, and per output column), times it, and measures the fidelity of each int8 graph's
/// embeddings to fp32's over the corpus: the plain cosine, and the centered one (each graph's mean embedding
/// subtracted first: random weights put every embedding in a narrow cone where a plain cosine says nothing). The
/// yardstick is <c>quantize_dynamic</c>'s own numerics on the same weights: the fp32 graph with each weight sent through
/// per-tensor int8 and back and each MatMul input through <c>DynamicQuantizeLinear</c> and <c>DequantizeLinear</c>.
/// </summary>
internal static class QuantizeBenchmark
{
    public static int Run(Args args)
    {
        string model = Path.GetFullPath(args.Required("--model"));
        if (args.Optional("--rewrite-only") is string target)
        {
            // Experiments: write one rewrite of DIR/model.onnx (fuse, quantize: --fuse, --int8, --per-channel) to DIR/target.
            GlucoseModelOptimizer.Rewrite(Path.Combine(model, "model.onnx"), Path.Combine(model, target), new(args.Flag("--fuse"), args.Flag("--int8"), args.Flag("--per-channel"), args.Flag("--fp16")), null, CancellationToken.None);
            return 0;
        }

        if (args.Optional("--speed") is string variants)
        {
            return Speed(model, Corpus.Load(args.Required("--corpus"), null), variants.Split(','), args.Int("--blocks", 60), args.Int("--block", 256));
        }

        if (args.Flag("--convert-only"))
        {
            // Just the public conversion, in a process of its own: its time and peak memory.
            var clock = Stopwatch.StartNew();
            string written = GlucoseModelOptimizer.Convert(model, GlucosePrecision.Int8, Path.Combine(model, "model_int8_dotnet.onnx"));
            Console.WriteLine($"{Machine.Describe()}; converted {Path.Combine(model, "model.onnx")} " +
                $"({Directory.GetFiles(model, "model.onnx*").Sum(f => new FileInfo(f).Length) / 1e6:F0} MB with its data) -> {written} in {clock.Elapsed.TotalSeconds:F1} s; " +
                $"peak RSS {Machine.PeakRssMiB():F0} MiB");
            return 0;
        }

        string[] corpus = Corpus.Load(args.Required("--corpus"), args.Int("--sentences", 1000));
        string source = Path.Combine(model, "model.onnx");
        Console.WriteLine($"{Machine.Describe()}; {corpus.Length} sentences");

        var graphs = new List<(string Label, string File)>();
        foreach ((string label, string file, GlucoseModelOptimizer.Rewrites rewrites) in new (string, string, GlucoseModelOptimizer.Rewrites)[]
        {
            ("int8 .NET per tensor", "model_int8_dotnet.onnx", new(Fuse: false, Quantize: true, PerChannel: false)),
            ("int8 .NET per channel", "model_int8_dotnet_pc.onnx", new(Fuse: false, Quantize: true, PerChannel: true)),
            ("fp32 fused", "model_fused.onnx", new(Fuse: true, Quantize: false, PerChannel: false)),
            ("int8 .NET fused", "model_int8_fused.onnx", new(Fuse: true, Quantize: true, PerChannel: false)),
            ("fp16 .NET (run by the CPU provider in float)", "model_fp16.onnx", GlucoseModelOptimizer.Rewrites.For(GlucosePrecision.Float16)),
        })
        {
            var clock = Stopwatch.StartNew();
            GlucoseModelOptimizer.Rewrite(source, Path.Combine(model, file), rewrites, null, CancellationToken.None);
            Console.WriteLine($"{label}: quantized in {clock.Elapsed.TotalSeconds:F1} s -> {file} " +
                $"({new FileInfo(Path.Combine(model, file)).Length / 1e6:F1} MB + {new FileInfo(Path.Combine(model, file + ".data")).Length / 1e6:F1} MB data)");
            graphs.Add((label, file));
        }

        WriteFakeQuantized(source, Path.Combine(model, "model_fakequant.onnx"));
        graphs.Insert(0, ("quantize_dynamic numerics (fp32 emulation)", "model_fakequant.onnx"));

        float[][] reference = Encode(model, "model.onnx", corpus);
        Console.WriteLine();
        Console.WriteLine("| graph | plain cosine mean | plain min | centered mean | centered min |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach ((string label, string file) in graphs)
        {
            float[][] embeddings = Encode(model, file, corpus);
            (double plainMean, double plainMin) = Fidelity(reference, embeddings, centered: false);
            (double centeredMean, double centeredMin) = Fidelity(reference, embeddings, centered: true);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {plainMean:F6} | {plainMin:F6} | {centeredMean:F4} | {centeredMin:F4} |"));
        }

        return 0;
    }

    /// <summary>
    /// <c>--speed fp32,int8,FILE...</c>: the graphs take turns on the same blocks of the corpus (library defaults), in an
    /// order that rotates every block; each block gives a time ratio against the first graph, and the median of those
    /// paired ratios is reported. A machine whose clock drifts over minutes moves all graphs of a block alike.
    /// </summary>
    private static int Speed(string model, string[] corpus, string[] variants, int blocks, int blockSize)
    {
        Console.WriteLine($"{Machine.Describe()}; {blocks} blocks of {blockSize} sentences, graphs in turn: {string.Join(", ", variants)}");
        var embedders = variants.Select(v => GlucoseEmbedder.Create(model, new GlucoseEmbedderOptions { ModelFileName = Args.GraphFile(v) })).ToArray();
        try
        {
            foreach (GlucoseEmbedder embedder in embedders)
            {
                embedder.Encode(corpus.Take(blockSize).ToArray());
            }

            var seconds = new double[variants.Length][];
            for (int v = 0; v < variants.Length; v++)
            {
                seconds[v] = new double[blocks];
            }

            for (int b = 0; b < blocks; b++)
            {
                string[] block = Enumerable.Range(0, blockSize).Select(i => corpus[((b * blockSize) + i) % corpus.Length]).ToArray();
                for (int k = 0; k < variants.Length; k++)
                {
                    int v = (b + k) % variants.Length;
                    var clock = Stopwatch.StartNew();
                    embedders[v].Encode(block);
                    seconds[v][b] = clock.Elapsed.TotalSeconds;
                }
            }

            Console.WriteLine("| graph | sentences/s (all blocks) | speed against the first, median of paired blocks | quartiles |");
            Console.WriteLine("| --- | --- | --- | --- |");
            for (int v = 0; v < variants.Length; v++)
            {
                double[] ratios = Enumerable.Range(0, blocks).Select(b => seconds[0][b] / seconds[v][b]).Order().ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {variants[v]} | {blocks * blockSize / seconds[v].Sum():F1} | {ratios[blocks / 2]:F3} | {ratios[blocks / 4]:F3} to {ratios[3 * blocks / 4]:F3} |"));
            }
        }
        finally
        {
            foreach (GlucoseEmbedder embedder in embedders)
            {
                embedder.Dispose();
            }
        }

        return 0;
    }

    /// <summary>Cosine of each row to the reference's, as mean and minimum; centered: each set's mean subtracted first.</summary>
    internal static (double Mean, double Min) Fidelity(float[][] reference, float[][] other, bool centered)
    {
        float[] referenceMean = centered ? Mean(reference) : new float[reference[0].Length];
        float[] otherMean = centered ? Mean(other) : new float[other[0].Length];
        double sum = 0;
        double min = double.MaxValue;
        for (int i = 0; i < reference.Length; i++)
        {
            float[] a = reference[i].Zip(referenceMean, (x, m) => x - m).ToArray();
            float[] b = other[i].Zip(otherMean, (x, m) => x - m).ToArray();
            double cosine = Similarity.Cosine(a, b);
            sum += cosine;
            min = Math.Min(min, cosine);
        }

        return (sum / reference.Length, min);
    }

    private static float[] Mean(float[][] rows)
    {
        var mean = new float[rows[0].Length];
        foreach (float[] row in rows)
        {
            for (int i = 0; i < mean.Length; i++)
            {
                mean[i] += row[i] / rows.Length;
            }
        }

        return mean;
    }

    private static float[][] Encode(string model, string file, string[] corpus)
    {
        using var embedder = GlucoseEmbedder.Create(model, new GlucoseEmbedderOptions { ModelFileName = file });
        return embedder.Encode(corpus);
    }

    /// <summary>
    /// Writes the fp32 emulation of <c>quantize_dynamic</c>'s numerics: each MatMul weight quantized per tensor and
    /// dequantized back into fp32, and each MatMul input sent through <c>DynamicQuantizeLinear</c> and <c>DequantizeLinear</c>.
    /// </summary>
    private static void WriteFakeQuantized(string source, string output)
    {
        OnnxModelFile file = OnnxModelFile.Load(source);
        GraphProto graph = file.Model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var nodes = new List<NodeProto>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var dequantizedInputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (NodeProto node in graph.Node)
        {
            if (node.OpType == "MatMul" && initializers.TryGetValue(node.Input[1], out TensorProto? weight) && weight.Dims.Count == 2 && !initializers.ContainsKey(node.Input[0]))
            {
                if (done.Add(weight.Name))
                {
                    int rows = (int)weight.Dims[0];
                    int columns = (int)weight.Dims[1];
                    float[] values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(file.ReadFloatBytes(weight).Span).ToArray();
                    var quantized = new sbyte[values.Length];
                    var scale = new float[1];
                    DynamicQuantization.Quantize(values, rows, columns, perChannel: false, quantized, scale);
                    float[] back = quantized.Select(q => q * scale[0]).ToArray();
                    weight.ExternalData.Clear();
                    weight.DataLocation = TensorProto.Types.DataLocation.Default;
                    weight.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(back.AsSpan()));
                }

                string input = node.Input[0];
                if (!dequantizedInputs.TryGetValue(input, out string? dequantized))
                {
                    dequantized = input + "_fakequant";
                    var quantize = new NodeProto { OpType = "DynamicQuantizeLinear", Name = input + "_fq_q" };
                    quantize.Input.Add(input);
                    quantize.Output.AddRange([input + "_fq", input + "_fq_scale", input + "_fq_zp"]);
                    var dequantize = new NodeProto { OpType = "DequantizeLinear", Name = input + "_fq_dq" };
                    dequantize.Input.AddRange([input + "_fq", input + "_fq_scale", input + "_fq_zp"]);
                    dequantize.Output.Add(dequantized);
                    nodes.Add(quantize);
                    nodes.Add(dequantize);
                    dequantizedInputs.Add(input, dequantized);
                }

                node.Input[0] = dequantized;
            }

            nodes.Add(node);
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        OnnxModelWriter.Write(file.Model, file, output, _ => { }, CancellationToken.None);
    }
}
