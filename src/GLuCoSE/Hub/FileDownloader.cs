using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace GLuCoSE.Hub;

/// <summary>
/// Downloads one file into <c>&lt;file&gt;.partial</c>, resuming with a Range request what an earlier try or run left
/// there, hashes it on the way, and renames it into place only when it is complete.
/// </summary>
internal sealed class FileDownloader
{
    private const int BufferSize = 1 << 16;
    private const long ProgressStep = 1 << 20;
    private const int MaxRedirects = 10;

    // The remaining requests (r) and the seconds until the window resets (t) of a RateLimit header.
    private static readonly Regex RateLimitPattern = new("\\br\\s*=\\s*(?<r>\\d+)\\s*;\\s*t\\s*=\\s*(?<t>\\d+)", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private readonly ResolvedSource _source;
    private readonly HubEnvironment _environment;
    private readonly IProgress<DownloadProgress>? _progress;

    public FileDownloader(ResolvedSource source, HubEnvironment environment, IProgress<DownloadProgress>? progress)
    {
        _source = source;
        _environment = environment;
        _progress = progress;
    }

    /// <summary>Downloads <paramref name="file"/> to its place in the model folder and returns its manifest entry.</summary>
    public async Task<ManifestEntry> DownloadAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        string target = _source.PathOf(file);
        string partial = target + ".partial";
        string notePath = partial + ".json";
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        Exception? last = null;
        int attempts = Math.Max(1, _environment.MaxAttempts);
        for (int attempt = 1; attempt <= attempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(WaitBefore(attempt, last), _environment.Time, cancellationToken).ConfigureAwait(false);
            }

            (ManifestEntry? entry, Exception? failure) = await TryOnceAsync(file, partial, notePath, cancellationToken).ConfigureAwait(false);
            if (entry is not null)
            {
                File.Move(partial, target, overwrite: true);
                File.Delete(notePath);
                return entry;
            }

            last = failure;
        }

        if (last is RetryLaterException { StatusCode: HttpStatusCode.TooManyRequests } limited)
        {
            throw HubErrors.RateLimited(_source, file, attempts, limited.RetryAfter, limited.Url);
        }

        if (last is HttpRequestException { StatusCode: HttpStatusCode status } refused)
        {
            throw HubErrors.Refused(_source, file, status, refused.Message, file.OnHub, file.Url);
        }

        // Nothing received at all (no connection, or no answer): a network problem, not an interrupted download.
        if (last is HttpRequestException or TimeoutException && !File.Exists(partial))
        {
            throw HubErrors.Unreachable(_source, file, attempts, last);
        }

        throw HubErrors.Interrupted(file, partial, File.Exists(partial) ? new FileInfo(partial).Length : 0, attempts, last!);
    }

    /// <summary>
    /// The server's own wait after a 429 or a server error (<c>RateLimit</c> or <c>Retry-After</c>, at most
    /// <see cref="HubEnvironment.MaxRetryAfter"/>); else a growing pause.
    /// </summary>
    internal TimeSpan WaitBefore(int attempt, Exception? last)
    {
        if (last is RetryLaterException { RetryAfter: TimeSpan asked })
        {
            return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > _environment.MaxRetryAfter ? _environment.MaxRetryAfter : asked;
        }

        return _environment.RetryDelay * (attempt - 1);
    }

    /// <summary>
    /// The wait a 429 (or a 503) asks for: the hub states its window's reset in the IETF draft's <c>RateLimit</c> header
    /// (<c>"resolvers";r=0;t=55</c>; <c>Retry-After</c> may be absent), which huggingface_hub prefers, waiting a second
    /// more against rounding; else <c>Retry-After</c> (seconds or an HTTP date).
    /// </summary>
    internal TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (Header(response, "RateLimit") is string limit && RateLimitPattern.Match(limit) is { Success: true } match
            && match.Groups["r"].Value.TrimStart('0').Length == 0
            && double.TryParse(match.Groups["t"].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out double reset))
        {
            return TimeSpan.FromSeconds(Math.Min(reset, 1e6) + 1);
        }

        RetryConditionHeaderValue? retry = response.Headers.RetryAfter;
        return retry?.Delta ?? (retry?.Date is DateTimeOffset date ? date - _environment.Time.GetUtcNow() : null);
    }

    private static PartialDownload? ReadNote(string notePath)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(notePath), ManifestJsonContext.Default.PartialDownload);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Discard(string partial, string notePath)
    {
        File.Delete(partial);
        File.Delete(notePath);
    }

    private static async Task HashExistingAsync(IncrementalHash hash, IncrementalHash md5, string path, long length, byte[] buffer, CancellationToken cancellationToken)
    {
        var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        await using (input.ConfigureAwait(false))
        {
            long left = length;
            while (left > 0)
            {
                int read = await input.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException($"'{path}' is shorter than {length} bytes.");
                }

                hash.AppendData(buffer, 0, read);
                md5.AppendData(buffer, 0, read);
                left -= read;
            }
        }
    }

    private static long? FreeBytes(string folder)
    {
        try
        {
            return new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>Whether a resumed answer is of the content the .partial holds: its ETag and generation, where stated, match the saved ones.</summary>
    private static bool SameContent(PartialDownload note, HttpResponseMessage response)
    {
        string? etag = StrongETag(response);
        string? generation = Header(response, "x-goog-generation");
        return (etag is null || note.ETag is null || etag == note.ETag)
            && (generation is null || note.Generation is null || generation == note.Generation);
    }

    /// <summary>Whether the answer is an HTML page although the file is not one (none of a model's files is).</summary>
    private static bool IsWebPage(HttpResponseMessage response, RemoteFile file) =>
        string.Equals(response.Content.Headers.ContentType?.MediaType, "text/html", StringComparison.OrdinalIgnoreCase)
        && !file.RelativePath.EndsWith(".html", StringComparison.OrdinalIgnoreCase)
        && !file.RelativePath.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);

    /// <summary>A Content-Encoding other than identity, which would store compressed bytes as the file.</summary>
    private static string? ContentEncoding(HttpResponseMessage response)
    {
        foreach (string encoding in response.Content.Headers.ContentEncoding)
        {
            if (!string.Equals(encoding, "identity", StringComparison.OrdinalIgnoreCase))
            {
                return encoding;
            }
        }

        return null;
    }

    private static string? StrongETag(HttpResponseMessage response) =>
        response.Headers.ETag is { IsWeak: false } tag ? tag.Tag : null;

    private static HttpRequestMessage NewRequest(Uri url, long offset, PartialDownload? note)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
            if (note!.ETag is not null && EntityTagHeaderValue.TryParse(note.ETag, out EntityTagHeaderValue? tag))
            {
                request.Headers.IfRange = new RangeConditionHeaderValue(tag);
            }
            else if (note.LastModified is not null && DateTimeOffset.TryParse(note.LastModified, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset modified))
            {
                request.Headers.IfRange = new RangeConditionHeaderValue(modified);
            }
        }

        return request;
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>
    /// Sends the request and follows redirects itself (the client's own following drops <c>Authorization</c> on every
    /// hop): the token stays on a redirect to the same scheme, host and port (a renamed repository's relative
    /// <c>Location</c>), and is never sent once a hop leaves for another host (the CDN, a bucket), as huggingface_hub does.
    /// </summary>
    internal async Task<(HttpResponseMessage Response, Hop Answered)> SendFollowingRedirectsAsync(
        RemoteFile file, Func<Uri, HttpRequestMessage> newRequest, CancellationToken cancellationToken)
    {
        Uri url = file.Url;
        bool authorize = file.OnHub && _source.Token is not null;
        string? linkedEtag = null;
        long? linkedSize = null;
        for (int hop = 0; ; hop++)
        {
            using HttpRequestMessage request = newRequest(url);
            if (authorize)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _source.Token);
            }

            HttpResponseMessage response = await _environment.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!IsRedirect(response.StatusCode) || response.Headers.Location is not Uri location)
            {
                return (response, new Hop(url, file.OnHub && SameOrigin(url, file.Url), linkedEtag, linkedSize));
            }

            // The hub states the LFS file's SHA-256 and size on its redirect to the CDN.
            linkedEtag ??= Header(response, "X-Linked-Etag");
            if (linkedSize is null && long.TryParse(Header(response, "X-Linked-Size"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long size))
            {
                linkedSize = size;
            }

            response.Dispose();
            if (hop == MaxRedirects)
            {
                throw new HttpRequestException($"{HubErrors.Redact(file.Url)} redirected more than {MaxRedirects} times (last to {HubErrors.Redact(new Uri(url, location))}); check the URL.");
            }

            Uri next = new(url, location);
            authorize = authorize && SameOrigin(url, next);
            url = next;
        }
    }

    internal static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(",", values).Trim() : null;

    /// <summary>One request: the finished entry, or the reason to try again. Final errors are thrown.</summary>
    private async Task<(ManifestEntry? Entry, Exception? Failure)> TryOnceAsync(RemoteFile file, string partial, string notePath, CancellationToken cancellationToken)
    {
        PartialDownload? note = File.Exists(partial) ? ReadNote(notePath) : null;
        if (File.Exists(partial) && (note is null || note.Url != file.Url.AbsoluteUri))
        {
            // Bytes of unknown origin: never glue them to another file's tail.
            Discard(partial, notePath);
        }

        long offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_environment.ResponseTimeout);
        HttpResponseMessage response;
        Hop answered;
        try
        {
            (response, answered) = await SendFollowingRedirectsAsync(file, url => NewRequest(url, offset, note), stall.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return (null, ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, new TimeoutException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no response in {_environment.ResponseTimeout.TotalSeconds:0.###} s ({HubEnvironment.EtagTimeoutVariable})")));
        }

        using (response)
        {
            // Disarmed while the file is prepared (hashing a large partial file takes a while); armed again per read.
            stall.CancelAfter(Timeout.InfiniteTimeSpan);
            HttpStatusCode status = response.StatusCode;
            if (ContentEncoding(response) is string encoding)
            {
                Discard(partial, notePath);
                throw HubErrors.Encoded(file, answered.Url, encoding);
            }

            // A captive portal or a filtering proxy answers 200 with its own page: never store that as a model file.
            if (response.IsSuccessStatusCode && IsWebPage(response, file))
            {
                throw HubErrors.WebPage(file, answered.Url);
            }

            bool sameContent = offset > 0 && SameContent(note!, response);
            long? total;
            if (status == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                // "bytes */N" with N the length already here: the .partial is complete (a run stopped before the
                // rename); finish it rather than download it again.
                if (!sameContent || response.Content.Headers.ContentRange?.Length != offset)
                {
                    Discard(partial, notePath);
                    return (null, new IOException($"the server could not resume at byte {offset} (416); starting over"));
                }

                total = offset;
            }
            else if (!response.IsSuccessStatusCode)

            {
                if (IsTransient(status))
                {
                    return (null, new RetryLaterException(status, response.ReasonPhrase, RetryAfter(response), answered.Url));
                }

                throw HubErrors.Refused(_source, file, status, response.ReasonPhrase, answered.OnHub, answered.Url, Header(response, "X-Error-Code"), Header(response, "X-Error-Message"));
            }

            else if (status == HttpStatusCode.PartialContent && offset > 0)
            {
                // A bucket may ignore If-Range (Google Cloud Storage's XML API does) and send the rest of a replaced
                // object: bytes of two versions must never be glued together.
                if (!sameContent)
                {
                    Discard(partial, notePath);
                    return (null, new IOException($"the file changed on the server (ETag or x-goog-generation) since byte {offset} was saved; starting over"));
                }

                ContentRangeHeaderValue? range = response.Content.Headers.ContentRange;
                if (range?.From != offset)
                {
                    Discard(partial, notePath);
                    return (null, new IOException($"the server resumed at byte {range?.From} instead of {offset}; starting over"));
                }

                total = range.Length ?? (offset + response.Content.Headers.ContentLength);
            }
            else
            {
                // A full answer (the server ignored Range, or If-Range found the content changed): start over.
                offset = 0;
                total = response.Content.Headers.ContentLength;
                var fresh = new PartialDownload
                {
                    Url = file.Url.AbsoluteUri,
                    ETag = StrongETag(response),
                    LastModified = StrongETag(response) is null ? response.Content.Headers.LastModified?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : null,
                    Generation = Header(response, "x-goog-generation"),
                };
                File.WriteAllBytes(notePath, JsonSerializer.SerializeToUtf8Bytes(fresh, ManifestJsonContext.Default.PartialDownload));
            }

            if (total is long size && FreeBytes(_source.Folder) is long free && free < size - offset)
            {
                throw HubErrors.DiskFull(_source, file, partial, size - offset, free, inner: null);
            }

            (ManifestEntry? entry, Exception? failure, byte[] md5) = await ReceiveAsync(file, response, partial, offset, total, stall, cancellationToken).ConfigureAwait(false);
            if (entry is not null)
            {
                Verify(file, entry, md5, answered, GoogleMd5(response), partial, notePath);
            }

            return (entry, failure);
        }
    }

    /// <summary>The base64 MD5 in a bucket's <c>x-goog-hash: crc32c=..., md5=...</c> (absent for composite objects).</summary>
    private static string? GoogleMd5(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("x-goog-hash", out IEnumerable<string>? values))
        {
            return null;
        }

        foreach (string value in values)
        {
            foreach (string part in value.Split(','))
            {
                string trimmed = part.Trim();
                if (trimmed.StartsWith("md5=", StringComparison.OrdinalIgnoreCase))
                {
                    return trimmed[4..];
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Checks the finished file against what the servers stated: the hub's <c>X-Linked-Size</c> and
    /// <c>X-Linked-Etag</c> (the SHA-256 of an LFS file), a bucket's MD5. A mismatch deletes the file and is final.
    /// </summary>
    private void Verify(RemoteFile file, ManifestEntry entry, byte[] md5, Hop answered, string? googleMd5, string partial, string notePath)
    {
        string? problem = null;
        string? linked = answered.LinkedEtag?.Replace("W/", string.Empty, StringComparison.Ordinal).Trim('"');
        if (answered.LinkedSize is long size && size != entry.Size)
        {
            problem = $"{entry.Size} bytes arrived, the hub's X-Linked-Size says {size}";
        }
        else if (linked is { Length: 64 } && !string.Equals(linked, entry.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            problem = $"the bytes have SHA-256 {entry.Sha256}, the hub's X-Linked-Etag says {linked}";
        }
        else if (googleMd5 is not null && !string.Equals(googleMd5, Convert.ToBase64String(md5), StringComparison.Ordinal))
        {
            problem = $"the bytes have MD5 {Convert.ToBase64String(md5)}, the server's x-goog-hash says md5={googleMd5}";
        }

        if (problem is not null)
        {
            Discard(partial, notePath);
            throw HubErrors.Corrupted(_source, file, answered.Url, problem);
        }
    }

    private async Task<(ManifestEntry? Entry, Exception? Failure, byte[] Md5)> ReceiveAsync(
        RemoteFile file, HttpResponseMessage response, string partial, long offset, long? total, CancellationTokenSource stall, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
#pragma warning disable CA5351 // MD5 only checks the bucket's stated x-goog-hash; SHA-256 is what the manifest records.
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        long done = offset;
        try
        {
            if (offset > 0)
            {
                await HashExistingAsync(hash, md5, partial, offset, buffer, cancellationToken).ConfigureAwait(false);
            }

            var output = new FileStream(partial, offset > 0 ? FileMode.Open : FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true);
            await using (output.ConfigureAwait(false))
            {
                output.Seek(offset, SeekOrigin.Begin);
                Report(file, done, total);
                long reported = done;
                // A 416 on a complete .partial has nothing to add: its body is the server's error document (the CDN's
                // and Google Cloud Storage's XML), which must not be appended to the file.
                Stream body = response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable
                    ? Stream.Null
                    : await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    while (true)
                    {
                        stall.CancelAfter(_environment.ReadTimeout);
                        int read;
                        try
                        {
                            read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), stall.Token).ConfigureAwait(false);
                        }
                        catch (IOException ex)
                        {
                            return (null, ex, []);
                        }
                        catch (HttpRequestException ex)
                        {
                            return (null, ex, []);
                        }
                        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                        {
                            return (null, new TimeoutException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no data for {_environment.ReadTimeout.TotalSeconds:0.###} s after {done} bytes ({HubEnvironment.DownloadTimeoutVariable})")), []);
                        }

                        if (read == 0)
                        {
                            break;
                        }

                        await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        hash.AppendData(buffer, 0, read);
                        md5.AppendData(buffer, 0, read);
                        done += read;
                        if (done - reported >= ProgressStep)
                        {
                            Report(file, done, total);
                            reported = done;
                        }
                    }
                }

                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException ex) when (DiskErrors.IsDiskFull(ex))
        {
            throw HubErrors.DiskFull(_source, file, partial, total is long size ? size - done : null, FreeBytes(_source.Folder), ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (total is long expected && done != expected)
        {
            return (null, new IOException($"the response ended after {done} of {expected} bytes"), []);
        }

        Report(file, done, done);
        return (new ManifestEntry
        {
            Size = done,
            Sha256 = Hex.Lower(hash.GetHashAndReset()),
            Url = HubErrors.Redact(file.Url),
            Downloaded = DateTimeOffset.UtcNow,
        }, null, md5.GetHashAndReset());
    }

    private void Report(RemoteFile file, long done, long? total) => _progress?.Report(new DownloadProgress(file.RelativePath, done, total));

    /// <summary>The URL that gave the final answer, whether it is the hub's, and what the hub's redirects stated.</summary>
    internal readonly record struct Hop(Uri Url, bool OnHub, string? LinkedEtag, long? LinkedSize);

    /// <summary>A 429, a 408 or a server error: worth another try, after the wait the server asked for, if any.</summary>
    internal sealed class RetryLaterException(HttpStatusCode status, string? reason, TimeSpan? retryAfter, Uri url)
        : HttpRequestException(reason ?? status.ToString(), inner: null, status)
    {
        public TimeSpan? RetryAfter { get; } = retryAfter;

        public Uri Url { get; } = url;
    }
}
