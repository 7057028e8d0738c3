using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Optimization;
using GLuCoSE.Optimization.Onnx;

namespace GLuCoSE.Hub;

/// <summary>
/// The graph of another precision beside a model folder's <c>model.onnx</c> (<c>model_int8.onnx</c> and its
/// <c>.data</c> file), made once with <see cref="GlucoseModelOptimizer"/> and made again when <c>model.onnx</c> changes.
/// </summary>
/// <remarks>
/// In the download cache, the manifest records each converted file's size and SHA-256 and the SHA-256 of the
/// <c>model.onnx</c> it was made from; both are checked on every load. In a folder of the user's, the converted graph
/// carries that SHA-256 in its own metadata; a graph without it (made by Python's <c>quantize_dynamic</c>, say) is the
/// user's and is used as it is, never replaced.
/// </remarks>
internal static class ConvertedGraph
{
    /// <summary>Makes sure the folder holds the graph of <paramref name="precision"/> for its current <c>model.onnx</c>.</summary>
    /// <returns>The graph's file name (relative to the folder).</returns>
    public static async Task<string> EnsureAsync(string folder, GlucosePrecision precision, bool isCache, HubEnvironment environment, CancellationToken cancellationToken)
    {
        string fileName = GlucoseModelOptimizer.GetModelFileName(precision);
        if (precision == GlucosePrecision.Float32)
        {
            return fileName;
        }

        string source = Model.ModelFolder.FindGraph(folder, GlucoseModelSource.OnnxFileName) ?? throw new FileNotFoundException(
            $"'{GlucoseModelSource.OnnxFileName}' not found in model folder '{folder}': it is what {fileName} is made from.",
            Path.Combine(folder, GlucoseModelSource.OnnxFileName));
        string target = Path.Combine(Path.GetDirectoryName(source)!, fileName);
        string relative = Path.GetRelativePath(folder, target).Replace(Path.DirectorySeparatorChar, '/');

        if (!isCache)
        {
            if (IsCurrentInUserFolder(source, target))
            {
                return relative;
            }

            try
            {
                // Two loads of one folder at once must not write the same .partial files: one converts, the other waits.
                // The lock file lives in the temp folder, named after the target, so the user's folder gets no stray file.
                using (await CacheLock.AcquireAsync(UserFolderLock(target), folder, environment, cancellationToken).ConfigureAwait(false))
                {
                    if (!IsCurrentInUserFolder(source, target))
                    {
                        GlucoseModelOptimizer.Rewrite(source, target, GlucoseModelOptimizer.Rewrites.For(precision), progress: null, cancellationToken);
                    }
                }
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new UnauthorizedAccessException(
                    $"GlucoseModelSource.Precision = {precision} makes '{relative}' in the model folder '{folder}', which cannot be written " +
                    $"({ex.Message}). Make the folder writable, or use a writable copy of it.",
                    ex);
            }

            return relative;
        }

        if (await IsCurrentInCacheAsync(folder, source, relative, cancellationToken).ConfigureAwait(false))
        {
            return relative;
        }

        try
        {
            await ConvertInCacheAsync(folder, source, target, relative, precision, environment, cancellationToken).ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new UnauthorizedAccessException(
                $"GlucoseModelSource.Precision = {precision} makes '{relative}' in the model cache '{folder}', which cannot be written " +
                $"({ex.Message}). Make the cache writable, or fill it where it can be written (CreateAsync with this precision, or " +
                "`glucose download --int8` for Int8) and ship that cache.",
                ex);
        }

        return relative;
    }

    private static async Task ConvertInCacheAsync(string folder, string source, string target, string relative, GlucosePrecision precision, HubEnvironment environment, CancellationToken cancellationToken)
    {
        using CacheLock held = await CacheLock.AcquireAsync(folder + ".lock", folder, environment, cancellationToken).ConfigureAwait(false);
        if (await IsCurrentInCacheAsync(folder, source, relative, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        ModelManifest manifest = ModelManifest.Read(folder) ?? new ModelManifest();
        string sourceRelative = Path.GetRelativePath(folder, source).Replace(Path.DirectorySeparatorChar, '/');
        manifest.Files.Remove(relative);
        manifest.Files.Remove(relative + ".data");
        manifest.Write(folder);

        GlucoseModelOptimizer.Rewrite(source, target, GlucoseModelOptimizer.Rewrites.For(precision), progress: null, cancellationToken);
        string sourceSha256 = GlucoseModelOptimizer.ReadSourceSha256(target)!;
        foreach (string file in new[] { relative, relative + ".data" })
        {
            string path = Path.Combine(folder, file);
            manifest.Files[file] = new ManifestEntry
            {
                Size = new FileInfo(path).Length,
                Sha256 = GlucoseModelOptimizer.Sha256File(path),
                Downloaded = DateTimeOffset.UtcNow,
                MadeFrom = sourceRelative,
                MadeFromSha256 = sourceSha256,
            };
        }

        manifest.Write(folder);
    }

    /// <summary>
    /// Checks the converted files against the manifest, and the SHA-256 they were made from against the source's (its
    /// manifest entry, checked by the download; or, for a graph copied into the cache by hand, its bytes).
    /// </summary>
    private static async Task<bool> IsCurrentInCacheAsync(string folder, string source, string relative, CancellationToken cancellationToken)
    {
        ModelManifest? manifest = ModelManifest.Read(folder);
        if (manifest is null || !manifest.Files.TryGetValue(relative, out ManifestEntry? graph) || graph?.MadeFromSha256 is null)
        {
            return false;
        }

        foreach (string file in new[] { relative, relative + ".data" })
        {
            string path = Path.Combine(folder, file);
            if (!manifest.Files.TryGetValue(file, out ManifestEntry? entry) || entry is null || !File.Exists(path)
                || new FileInfo(path).Length != entry.Size
                || !string.Equals(await ModelCache.Sha256Async(path, cancellationToken).ConfigureAwait(false), entry.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        string sourceRelative = Path.GetRelativePath(folder, source).Replace(Path.DirectorySeparatorChar, '/');
        string sourceSha256 = manifest.Files.TryGetValue(sourceRelative, out ManifestEntry? recorded) && recorded is not null
            ? recorded.Sha256
            : await ModelCache.Sha256Async(source, cancellationToken).ConfigureAwait(false);
        return string.Equals(sourceSha256, graph.MadeFromSha256, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Ours and made from the current graph, or not ours (a graph someone else made is used as it is).</summary>
    private static bool IsCurrentInUserFolder(string source, string target)
    {
        if (!File.Exists(target))
        {
            return false;
        }

        OnnxModelFile graph = OnnxModelFile.Load(target);
        string? madeFrom = graph.Model.MetadataProps.FirstOrDefault(p => p.Key == "glucose.source_sha256")?.Value;
        if (madeFrom is null)
        {
            return true;
        }

        if (!string.Equals(madeFrom, GlucoseModelOptimizer.Sha256File(source), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Ours and current, but its weights must be there too (a .data file deleted, or cut short by a copy).
        string data = OnnxModelWriter.DataPath(target);
        long end = graph.Model.Graph.Initializer
            .Where(t => t.DataLocation == TensorProto.Types.DataLocation.External)
            .Select(t => OnnxModelFile.ExternalRange(t) is var range ? range.Offset + range.Length : 0)
            .DefaultIfEmpty(0)
            .Max();
        return File.Exists(data) && new FileInfo(data).Length >= end;
    }

    private static string UserFolderLock(string target)
    {
        string key = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? target.ToUpperInvariant() : target;
        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));
        return Path.Combine(Path.GetTempPath(), $"glucose-{Convert.ToHexString(hash, 0, 8).ToLowerInvariant()}.lock");
    }
}
