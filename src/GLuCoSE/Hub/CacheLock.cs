using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace GLuCoSE.Hub;

/// <summary>
/// A lock file beside a cached model folder, held open with <see cref="FileShare.None"/> while one download fills the
/// folder. The operating system releases it when its process ends, so a crashed download never leaves it stuck; the
/// file itself stays (deleting it on close would let two processes lock two different files).
/// </summary>
internal sealed class CacheLock : IDisposable
{
    private readonly FileStream _stream;

    private CacheLock(FileStream stream) => _stream = stream;

    public static async Task<CacheLock> AcquireAsync(string lockPath, string folder, HubEnvironment environment, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            IOException busy;
            try
            {
                return new CacheLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1));
            }
            catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
            {
                busy = ex;
            }

            if (waited.Elapsed >= environment.LockTimeout)
            {
                throw new IOException(
                    $"Waited {environment.LockTimeout.TotalMinutes:0.#} minutes for the lock file '{lockPath}': another process is still " +
                    $"downloading into '{folder}'. Let it finish and try again; if no other process uses this cache, the lock " +
                    $"cannot be held and the error is '{busy.Message}'.",
                    busy);
            }

            await Task.Delay(environment.LockPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stream.Dispose();
}
