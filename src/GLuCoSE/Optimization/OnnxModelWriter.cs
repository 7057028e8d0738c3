using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using GLuCoSE.Optimization.Onnx;
using Google.Protobuf;

namespace GLuCoSE.Optimization;

/// <summary>
/// Writes a model as a graph file plus one external-data file beside it (<c>FILE</c> and <c>FILE.data</c>), every
/// weight of 1 KiB or more at a 4 KiB-aligned offset (the layout ONNX recommends, which lets GLuCoSE map the weights
/// in place). Both files are written under temporary names and renamed only when complete, the data file first and
/// the graph last, so a run that is interrupted never leaves a graph that loads.
/// </summary>
internal static class OnnxModelWriter
{
    private const int Alignment = 4096;
    private const int ExternalThreshold = 1024;

    private static readonly byte[] Padding = new byte[Alignment];

    /// <summary>Gets the name of the external-data file of <paramref name="graphPath"/>.</summary>
    public static string DataPath(string graphPath) => graphPath + ".data";

    /// <summary>Writes <paramref name="model"/> to <paramref name="outputPath"/> and its data file.</summary>
    /// <param name="model">The model; initializers whose data is external are read through <paramref name="source"/>.
    /// Their bytes are moved out of the model as they are written.</param>
    /// <param name="source">The file the model was read from (for external data).</param>
    /// <param name="outputPath">The graph file to write.</param>
    /// <param name="onTensorWritten">Called with each tensor's byte count after it is written.</param>
    /// <param name="cancellationToken">Cancels the write; the temporary files are deleted.</param>
    /// <exception cref="IOException">The disk is full or the files cannot be written (nothing is left behind).</exception>
    public static void Write(ModelProto model, OnnxModelFile source, string outputPath, Action<long> onTensorWritten, CancellationToken cancellationToken)
    {
        string graphPath = Path.GetFullPath(outputPath);
        string dataPath = DataPath(graphPath);
        string dataName = Path.GetFileName(dataPath);
        string graphPartial = graphPath + ".partial";
        string dataPartial = dataPath + ".partial";
        bool done = false;
        bool ownDataPartial = false;
        bool ownGraphPartial = false;
        long needed = model.Graph.Initializer.Sum(OnnxModelFile.DataLength) + model.CalculateSize();
        try
        {
            using (var data = new FileStream(dataPartial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                ownDataPartial = true;
                foreach (TensorProto tensor in model.Graph.Initializer)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    bool external = tensor.DataLocation == TensorProto.Types.DataLocation.External;
                    long length = OnnxModelFile.DataLength(tensor);
                    if (!external && length < ExternalThreshold)
                    {
                        continue;
                    }

                    ReadOnlyMemory<byte> bytes = source.ReadBytes(tensor);
                    if (bytes.Length < ExternalThreshold)
                    {
                        SetInline(tensor, bytes.Span);
                    }
                    else
                    {
                        long offset = (data.Position + Alignment - 1) / Alignment * Alignment;
                        data.Write(Padding, 0, (int)(offset - data.Position));
                        data.Write(bytes.Span);

                        // The graph's own copy goes now: a graph with its weights inside holds them all until written.
                        SetExternal(tensor, dataName, offset, bytes.Length);
                    }

                    onTensorWritten(bytes.Length);
                }

                data.Flush(flushToDisk: true);
            }

            using (var graph = new FileStream(graphPartial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                ownGraphPartial = true;
                model.WriteTo(graph);
                graph.Flush(flushToDisk: true);
            }

            // An older graph steps aside first: between the renames there is no graph, never a graph with the wrong
            // data. If its data cannot be replaced (open elsewhere, on Windows), the older graph comes back.
            string aside = graphPath + ".old";
            bool movedAside = false;
            if (File.Exists(graphPath))
            {
                File.Move(graphPath, aside, overwrite: true);
                movedAside = true;
            }

            try
            {
                File.Move(dataPartial, dataPath, overwrite: true);
            }
            catch when (movedAside)
            {
                File.Move(aside, graphPath, overwrite: false);
                throw;
            }

            File.Move(graphPartial, graphPath, overwrite: false);
            if (movedAside)
            {
                TryDelete(aside);
            }

            done = true;
        }
        catch (IOException ex) when (DiskErrors.IsDiskFull(ex))
        {
            throw new IOException(
                $"The disk is full: writing '{graphPath}' and its weights ('{Path.GetFileName(dataPath)}') needs about " +
                $"{needed / 1e6:F0} MB in '{Path.GetDirectoryName(graphPath)}'. Free space there, or write elsewhere (--output FILE).",
                ex);
        }
        finally
        {
            // Only the files this call made: a .partial it could not open is another writer's, still being written.
            if (!done && ownGraphPartial)
            {
                TryDelete(graphPartial);
            }

            if (!done && ownDataPartial)
            {
                TryDelete(dataPartial);
            }
        }
    }

    private static void SetInline(TensorProto tensor, ReadOnlySpan<byte> bytes)
    {
        tensor.ExternalData.Clear();
        tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        tensor.RawData = ByteString.CopyFrom(bytes);
    }

    private static void SetExternal(TensorProto tensor, string location, long offset, long length)
    {
        tensor.RawData = ByteString.Empty;
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Clear();
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(CultureInfo.InvariantCulture) });
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
