using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Security.Cryptography;
using GLuCoSE.Model;
using GLuCoSE.Optimization;
using GLuCoSE.Optimization.Onnx;

namespace GLuCoSE;

/// <summary>
/// Makes the other precisions of a GLuCoSE graph in .NET, without Python: <see cref="GlucosePrecision.Int8"/> quantizes
/// the weight products the way onnxruntime's <c>quantize_dynamic</c> does.
/// </summary>
/// <remarks>
/// <see cref="GlucoseModelSource.Precision"/> does this once into the download cache; use this type for a model folder
/// of your own or to ship the converted file.
/// </remarks>
public static class GlucoseModelOptimizer
{
    /// <summary>Gets the graph file name of a precision: <c>model.onnx</c> or <c>model_int8.onnx</c>.</summary>
    internal static string GetModelFileName(GlucosePrecision precision) => precision switch
    {
        GlucosePrecision.Float32 => ModelFolder.DefaultGraphFileName,
        GlucosePrecision.Int8 => "model_int8.onnx",
        GlucosePrecision.Float16 => "model_fp16.onnx",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Precision must be Float32, Int8 or Float16."),
    };

    /// <summary>
    /// Converts a float ONNX graph of GLuCoSE (or another LUKE/BERT-style encoder) to <paramref name="precision"/> and
    /// writes it beside the input, or to <paramref name="outputPath"/>, as a graph file plus <c>FILE.data</c>.
    /// </summary>
    /// <param name="modelPath">The float graph (<c>.onnx</c>, weights inside or in external-data files), or a model folder
    /// holding <c>model.onnx</c>.</param>
    /// <param name="precision">The precision to make: <see cref="GlucosePrecision.Int8"/> or <see cref="GlucosePrecision.Float16"/>.</param>
    /// <param name="outputPath">The graph file to write; null for <c>model_int8.onnx</c> (<c>model_fp16.onnx</c>) beside the input.</param>
    /// <param name="progress">Receives the fraction done (0 to 1) as weights are converted and written; null for none.</param>
    /// <param name="cancellationToken">Cancels the conversion; nothing is left behind.</param>
    /// <returns>The full path of the graph written.</returns>
    /// <remarks>
    /// <para>The files are written under temporary names and renamed when complete: an interrupted run never leaves a
    /// graph that loads. Memory: the graph's structure plus, for a graph with its weights inside, the weights (about
    /// 0.7 GB at most for GLuCoSE-base-ja's 440 MB file).</para>
    /// <para>The result records the source's SHA-256 in its metadata (<c>glucose.source_sha256</c>).</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="modelPath"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="precision"/> is <see cref="GlucosePrecision.Float32"/>, or the output is the input.</exception>
    /// <exception cref="FileNotFoundException">The graph does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX graph of a text encoder with float weights (the message says what is missing), or is already quantized.</exception>
    /// <exception cref="IOException">The output cannot be written, or the disk is full.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static string Convert(
        string modelPath,
        GlucosePrecision precision,
        string? outputPath = null,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        if (precision is not (GlucosePrecision.Int8 or GlucosePrecision.Float16))
        {
            throw new ArgumentException(
                precision == GlucosePrecision.Float32
                    ? "The graph is already Float32; choose Int8 or Float16."
                    : $"Precision must be Int8 or Float16; found {precision}.",
                nameof(precision));
        }

        string source = ResolveGraph(modelPath);
        string output = Path.GetFullPath(outputPath ?? Path.Combine(Path.GetDirectoryName(source)!, GetModelFileName(precision)));
        // Windows and macOS disks usually ignore case: MODEL.onnx is model.onnx there.
        if (string.Equals(output, source, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            throw new ArgumentException($"The output '{output}' is the input graph; name another file.", nameof(outputPath));
        }

        return Rewrite(source, output, Rewrites.For(precision), progress, cancellationToken);
    }

    /// <summary>What <see cref="Rewrite"/> does to a graph.</summary>
    internal readonly record struct Rewrites(bool Fuse, bool Quantize, bool PerChannel, bool Float16 = false)
    {
        /// <summary>What makes a precision's graph (the measured choices: no fusion, per-tensor scales).</summary>
        public static Rewrites For(GlucosePrecision precision) => new(Fuse: false, Quantize: precision == GlucosePrecision.Int8, PerChannel: false, Float16: precision == GlucosePrecision.Float16);
    }

    internal static string Rewrite(string source, string output, Rewrites rewrites, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string sourceSha256 = Sha256File(source);
        OnnxModelFile file = OnnxModelFile.Load(source);
        CheckEncoder(file);
        (_, long weightBytes) = DynamicQuantization.Plan(file.Model);
        long writeBytes = file.Model.Graph.Initializer.Sum(OnnxModelFile.DataLength) - (weightBytes * 3 / 4);
        double total = Math.Max(1, weightBytes + writeBytes);
        long done = 0;
        void Advance(long bytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            done += bytes;
            progress?.Report(Math.Min(1, done / total));
        }

        (int attentions, int slices) = rewrites.Fuse ? AttentionFusion.Apply(file) : (0, 0);
        int rewritten = rewrites.Quantize ? DynamicQuantization.Apply(file, rewrites.PerChannel, Advance) : 0;
        int keptInFloat = rewrites.Float16 ? Float16Conversion.Apply(file) : 0;
        file.Model.ProducerName = "GLuCoSE";
        file.Model.ProducerVersion = typeof(GlucoseModelOptimizer).Assembly.GetName().Version?.ToString() ?? string.Empty;
        SetMetadata(file.Model, "glucose.source_sha256", sourceSha256);
        SetMetadata(file.Model, "glucose.precision", rewrites.Quantize ? "int8" : rewrites.Float16 ? "fp16" : "fp32");
        if (rewrites.Float16)
        {
            SetMetadata(file.Model, "glucose.kept_in_float32", keptInFloat.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        SetMetadata(file.Model, "glucose.quantized_matmuls", rewritten.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetMetadata(file.Model, "glucose.fused_attentions", attentions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetMetadata(file.Model, "glucose.removed_slices", slices.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        OnnxModelWriter.Write(file.Model, file, output, Advance, cancellationToken);
        if (done < total)
        {
            progress?.Report(1);
        }
        return output;
    }

    /// <summary>Reads <c>glucose.source_sha256</c> from a graph this type wrote; null when it has none.</summary>
    internal static string? ReadSourceSha256(string graphPath) =>
        OnnxModelFile.Load(graphPath).Model.MetadataProps.FirstOrDefault(p => p.Key == "glucose.source_sha256")?.Value;

    private static string ResolveGraph(string modelPath)
    {
        if (Directory.Exists(modelPath))
        {
            string directory = Path.GetFullPath(modelPath);
            return ModelFolder.FindGraph(directory, ModelFolder.DefaultGraphFileName) ?? throw new FileNotFoundException(
                $"'{ModelFolder.DefaultGraphFileName}' not found in model folder '{directory}' (nor in its onnx/ subfolder).",
                Path.Combine(directory, ModelFolder.DefaultGraphFileName));
        }

        string file = Path.GetFullPath(modelPath);
        return File.Exists(file) ? file : throw new FileNotFoundException($"ONNX graph '{file}' not found.", file);
    }

    /// <summary>Checks that the graph is a float text encoder: token ids and attention mask in, MatMul weights to quantize.</summary>
    private static void CheckEncoder(OnnxModelFile file)
    {
        GraphProto graph = file.Model.Graph;
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (string name in new[] { "input_ids", "attention_mask" })
        {
            if (!inputs.Contains(name))
            {
                missing.Add($"no '{name}' input");
            }
        }

        if (graph.Node.Any(n => n.OpType is "MatMulInteger" or "DynamicQuantizeMatMul" or "QLinearMatMul" or "MatMulNBits"))
        {
            throw new InvalidDataException($"'{file.Path}' is already quantized; convert the float graph (model.onnx).");
        }

        if (DynamicQuantization.Plan(file.Model).Count == 0)
        {
            missing.Add("no MatMul with a float weight");
        }

        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"'{file.Path}' is not the ONNX graph of a LUKE/BERT-style text encoder: {string.Join(", ", missing)}. " +
                "Convert the model.onnx of a GLuCoSE model folder.");
        }
    }

    internal static string Sha256File(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return System.Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static void SetMetadata(ModelProto model, string key, string value)
    {
        StringStringEntryProto? entry = model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (entry is null)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        else
        {
            entry.Value = value;
        }
    }
}
