using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace GLuCoSE.Hub;

/// <summary>
/// The cache folder of one hub source: checks it against its manifest (size and SHA-256 of every file, on every
/// load), and, unless offline, downloads what is missing or damaged under a lock file that keeps concurrent
/// downloads of the same model, in this process or others, from writing at the same time.
/// </summary>
internal static class ModelCache
{
    /// <summary>
    /// Makes sure the source's model is in the cache and returns its folder. A commit hash is its own folder. A branch
    /// or tag is first resolved to the commit it names now (one request to the hub), whose folder is filled with every
    /// file at that commit; then <c>refs/&lt;revision&gt;</c> is pointed at it, as huggingface_hub's <c>refs/</c> is.
    /// Offline, or when the hub cannot be reached (or still answers 429 or a server error after the retries), the
    /// pointer's snapshot serves.
    /// </summary>
    public static async Task<string> EnsureAsync(ResolvedSource source, HubEnvironment environment, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (source.IsCommit)
        {
            return await EnsureFolderAsync(source, environment, progress, cancellationToken).ConfigureAwait(false);
        }

        string? cached = ReadPointer(source);
        if (source.Offline)
        {
            // Without a pointer, the folder named after the branch: one copied by hand, or left by an older version.
            ResolvedSource offline = cached is null ? source : source.AtCommit(cached);
            return await EnsureFolderAsync(offline, environment, progress, cancellationToken).ConfigureAwait(false);
        }

        if (!source.HasUsableToken)
        {
            throw HubErrors.UnusableToken(source);
        }

        string commit;
        try
        {
            commit = await RevisionResolver.ResolveAsync(source, environment, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (cached is not null && (ex.StatusCode is not HttpStatusCode status || FileDownloader.IsTransient(status)))
        {
            // No answer from the hub, or still a 429 or a server error after the retries (an outage): the snapshot the
            // pointer names serves when it is intact, as huggingface_hub's does.
            ResolvedSource snapshot = source.AtCommit(cached);
            if ((await CheckAsync(snapshot, cancellationToken).ConfigureAwait(false)).IsUsableOffline)
            {
                return snapshot.Folder;
            }

            throw;
        }

        ResolvedSource atCommit = source.AtCommit(commit);
        string folder = await EnsureFolderAsync(atCommit, environment, progress, cancellationToken).ConfigureAwait(false);

        // Only once the snapshot is complete: a failed download of a newer commit leaves the pointer on the last good one.
        WritePointer(source, commit);
        return folder;
    }

    /// <summary>
    /// Returns the folder a source uses, reading no more than the pointer of a branch or tag: the snapshot it names, or,
    /// when there is none yet, the folder named after the revision (where offline mode looks for a copy made by hand).
    /// </summary>
    public static string LocalFolder(ResolvedSource source) =>
        source.IsCommit || ReadPointer(source) is not string commit ? source.Folder : source.AtCommit(commit).Folder;

    /// <summary>Returns the commit that <c>refs/&lt;revision&gt;</c> holds, or null when there is none (or not a commit hash).</summary>
    private static string? ReadPointer(ResolvedSource source)
    {
        try
        {
            string text = File.ReadAllText(source.PointerPath).Trim();
            return ResolvedSource.IsCommitHash(text) ? text : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void WritePointer(ResolvedSource source, string commit)
    {
        if (ReadPointer(source) == commit)
        {
            // A complete, current cache needs no write access.
            return;
        }

        string pointer = source.PointerPath;
        string temporary = $"{pointer}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(pointer)!);
            File.WriteAllText(temporary, commit);

            // A rename, so that a concurrent reader sees the old commit or the new one, never half a hash.
            File.Move(temporary, pointer, overwrite: true);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw HubErrors.NotWritable(source, ex);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task<string> EnsureFolderAsync(ResolvedSource source, HubEnvironment environment, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {

        // Without the lock first: a complete cache needs no write access and no network.
        CacheCheck check = await CheckAsync(source, cancellationToken).ConfigureAwait(false);
        if (check.IsComplete)
        {
            return source.Folder;
        }

        if (source.Offline)
        {
            return check.IsUsableOffline ? source.Folder : throw check.OfflineError(source);
        }

        try
        {
            Directory.CreateDirectory(source.Folder);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw HubErrors.NotWritable(source, ex);
        }

        if (!source.HasUsableToken)
        {
            throw HubErrors.UnusableToken(source);
        }

        try
        {
            return await DownloadUnderLockAsync(source, environment, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException ex)
        {
            // The lock file, a .partial file or the manifest could not be written (a read-only cache).
            throw HubErrors.NotWritable(source, ex);
        }
    }

    private static async Task<string> DownloadUnderLockAsync(ResolvedSource source, HubEnvironment environment, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        using CacheLock held = await CacheLock.AcquireAsync(source.Folder + ".lock", source.Folder, environment, cancellationToken).ConfigureAwait(false);

        // Another process may have filled the folder while this one waited for the lock.
        CacheCheck check = await CheckAsync(source, cancellationToken).ConfigureAwait(false);

        ModelManifest manifest = check.Manifest ?? new ModelManifest();
        manifest.Source = source.Description;
        var downloader = new FileDownloader(source, environment, progress);
        foreach (RemoteFile file in check.ToDownload)
        {
            // A damaged file leaves before its replacement arrives, so that an interrupted repair reads as missing. A
            // file copied by hand (in no manifest) stays until its download is complete and replaces it: a failed run
            // must not take away the copy that offline mode can still use.
            if (manifest.Files.Remove(file.RelativePath))
            {
                manifest.Write(source.Folder);
            }

            string target = source.PathOf(file);
            if (check.IsDamaged(file) && File.Exists(target))
            {
                File.Delete(target);
            }

            manifest.Files[file.RelativePath] = await downloader.DownloadAsync(file, cancellationToken).ConfigureAwait(false);
            manifest.Write(source.Folder);
        }

        return source.Folder;
    }

    private static async Task<CacheCheck> CheckAsync(ResolvedSource source, CancellationToken cancellationToken)
    {
        var check = new CacheCheck();
        if (!Directory.Exists(source.Folder))
        {
            foreach (RemoteFile file in source.Files)
            {
                check.Missing(file);
            }

            return check;
        }

        try
        {
            check.Manifest = ModelManifest.Read(source.Folder);
        }
        catch (InvalidDataException ex)
        {
            check.ManifestError = ex;
        }

        foreach (RemoteFile file in source.Files)
        {
            string path = source.PathOf(file);
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                check.Missing(file);
                continue;
            }

            if (check.Manifest is null || !check.Manifest.Files.TryGetValue(file.RelativePath, out ManifestEntry? entry))
            {
                // Files in no manifest were copied by hand (or a run stopped before recording a finished download, which
                // is only renamed into place when complete): trusted offline, replaced online.
                check.Unverified(file);
                continue;
            }

            if (entry is null)
            {
                check.Damaged(file, $"{ModelManifest.FileName} has an empty entry for {file.RelativePath}");
                continue;
            }

            if (info.Length != entry.Size)
            {
                check.Damaged(file, $"{file.RelativePath} has {info.Length} bytes, {ModelManifest.FileName} says {entry.Size}");
                continue;
            }

            string sha256 = await Sha256Async(path, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(sha256, entry.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                check.Damaged(file, $"{file.RelativePath} has SHA-256 {sha256}, {ModelManifest.FileName} says {entry.Sha256}");
            }
        }

        return check;
    }

    internal static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return Hex.Lower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>What a look at the cache folder found.</summary>
    private sealed class CacheCheck
    {
        private readonly List<string> _missing = [];
        private readonly List<string> _damaged = [];
        private readonly HashSet<string> _damagedFiles = new(StringComparer.Ordinal);

        public ModelManifest? Manifest { get; set; }

        public InvalidDataException? ManifestError { get; set; }

        public List<RemoteFile> ToDownload { get; } = [];

        public bool IsComplete => ToDownload.Count == 0;

        /// <summary>Gets whether offline mode may use the folder: nothing missing or damaged (hand-copied files are trusted).</summary>
        public bool IsUsableOffline => _missing.Count == 0 && _damaged.Count == 0 && ManifestError is null;

        public void Missing(RemoteFile file)
        {
            _missing.Add(file.RelativePath);
            ToDownload.Add(file);
        }

        public void Damaged(RemoteFile file, string problem)
        {
            _damaged.Add(problem);
            _damagedFiles.Add(file.RelativePath);
            ToDownload.Add(file);
        }

        public bool IsDamaged(RemoteFile file) => _damagedFiles.Contains(file.RelativePath);

        public void Unverified(RemoteFile file)
        {
            ToDownload.Add(file);
        }

        /// <summary>Returns the error for offline mode: a damaged manifest or files first, then missing files.</summary>
        public Exception OfflineError(ResolvedSource source)
        {
            if (ManifestError is not null)
            {
                return HubErrors.OfflineDamaged(source, [ManifestError.Message], ManifestError);
            }

            if (_damaged.Count > 0)
            {
                return HubErrors.OfflineDamaged(source, _damaged);
            }

            return HubErrors.OfflineMissing(source, _missing);
        }
    }
}
