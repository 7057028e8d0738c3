using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Tests.Infrastructure;

namespace GLuCoSE.Tests.Hub;

/// <summary>One request the fake hub received.</summary>
internal sealed record RecordedRequest(string Path, string? Range, string? Authorization, string? IfRange, string? AcceptEncoding = null);

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 that plays the Hugging Face hub (<c>/hub/{repo}/resolve/{revision}/{path}</c>,
/// with the LFS file answered by a redirect to <c>/cdn/...</c> on another host name, as the hub does) and the ONNX host
/// (<c>/onnx/GLuCoSE-base-ja.onnx</c>), serving the tiny model folder. It honours <c>Range: bytes=N-</c> and
/// <c>If-Range</c>, closes every connection after one response, and can refuse, cut short or slow down a file.
/// </summary>
internal sealed partial class FakeHub : IDisposable
{
    public const string OnnxPath = "/onnx/GLuCoSE-base-ja.onnx";

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HttpStatusCode> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Bytes, int Times, bool Hang)> _cuts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Times, int Status, string[] Headers)> _limits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _branches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _commits = new(StringComparer.Ordinal);
    private (string Branch, string Commit)? _moveAfterFirstFile;
    private readonly Task _acceptLoop;
    private long _generation = 1700000000000001;

    /// <param name="repository">The repository it serves.</param>
    /// <param name="revision">The revision it serves.</param>
    /// <param name="onnxFile">The tiny model's graph it serves as the ONNX export (e.g. <c>model_opset11.onnx</c>).</param>
    public FakeHub(string repository = GlucoseModelSource.DefaultRepository, string revision = GlucoseModelSource.DefaultRevision, string onnxFile = "model.onnx")
    {
        Repository = repository;
        Revision = revision;
        _commits[revision] = true;
        foreach (string file in GlucoseModelSource.DefaultFiles)
        {
            _files[HubPath(file)] = File.ReadAllBytes(Path.Combine(TestPaths.TinyModel, file));
        }

        _files["/cdn/sentencepiece.bpe.model"] = _files[HubPath("sentencepiece.bpe.model")];
        _files[OnnxPath] = File.ReadAllBytes(Path.Combine(TestPaths.TinyModel, onnxFile));
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public string Repository { get; }

    public string Revision { get; }

    public int Port { get; }

    /// <summary>Gets the value for HF_ENDPOINT.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}/hub";

    /// <summary>Gets the value for GLUCOSE_ONNX_URL.</summary>
    public string OnnxUrl => $"http://127.0.0.1:{Port}{OnnxPath}";

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Gets or sets a pause after each 64 KiB sent, to make transfers overlap.</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>
    /// Gets or sets the old name of a renamed (or transferred) repository: its URLs answer 307 with a relative
    /// <c>Location</c> on the new name, as the hub does.
    /// </summary>
    public string? RenamedFrom { get; set; }

    /// <summary>
    /// Gets or sets the token a private repository needs: hub requests without <c>Bearer</c> it answer 401 with
    /// <c>X-Error-Code: RepoNotFound</c>, as the hub answers for private and missing repositories alike.
    /// </summary>
    public string? RequiredToken { get; set; }

    /// <summary>
    /// Gets or sets whether the repository is gated: hub requests answer 401 (no token) or 403 (a token whose account
    /// has not accepted the terms, here any token other than <see cref="RequiredToken"/>) with <c>X-Error-Code: GatedRepo</c>.
    /// </summary>
    public bool Gated { get; set; }

    /// <summary>Gets or sets whether the CDN flips one byte of the LFS file (the hub's X-Linked-Etag still states the right SHA-256).</summary>
    public bool CorruptCdn { get; set; }

    /// <summary>Gets or sets whether the bucket (the ONNX host) flips one byte (its x-goog-hash still states the right MD5).</summary>
    public bool CorruptBucket { get; set; }

    /// <summary>Gets the CDN's address: another host than the hub's (<c>localhost</c> instead of 127.0.0.1), as cdn-lfs.hf.co is.</summary>
    public string CdnBase => $"http://localhost:{Port}/cdn";

    /// <summary>Gets or sets a pause before the headers of every answer.</summary>
    public TimeSpan HeaderDelay { get; set; }

    /// <summary>Gets or sets whether If-Range is ignored (a Range is always honoured), as Google Cloud Storage's XML API does.</summary>
    public bool IgnoreIfRange { get; set; }

    /// <summary>
    /// Gets or sets whether a 416 carries an error document as its body, as the CDN's and Google Cloud Storage's do
    /// (<c>&lt;Error&gt;&lt;Code&gt;InvalidRange&lt;/Code&gt;...</c>).
    /// </summary>
    public bool RangeErrorBody { get; set; }

    /// <summary>
    /// Gets or sets whether the repository is disabled: hub requests answer 403 with only
    /// <c>X-Error-Message: Access to this resource is disabled.</c> (no <c>X-Error-Code</c>), as the hub does.
    /// </summary>
    public bool Disabled { get; set; }

    /// <summary>Gets or sets a Content-Encoding to claim (the bytes stay as they are), as a compressing proxy would.</summary>
    public string? ContentEncoding { get; set; }

    /// <summary>Gets the query of the CDN links the hub redirects to: a signature that grants access until it expires, as cdn-lfs.hf.co's do.</summary>
    public const string CdnSignature = "Expires=1893456000&Signature=cdn-signature-0123&Key-Pair-Id=K0123";

    /// <summary>Gets or sets whether every request is answered 200 with a sign-in page, as a captive portal does.</summary>
    public bool CaptivePortal { get; set; }

    /// <summary>Replaces a file with other bytes (a new upload: a new ETag, and a new x-goog-generation on the bucket).</summary>
    public void Replace(string file, byte[] content)
    {
        _files[PathOf(file)] = content;
        Interlocked.Increment(ref _generation);
    }

    /// <summary>Gets or sets whether Range headers are ignored (the whole file is sent with 200).</summary>
    public bool IgnoreRange { get; set; }

    public string HubPath(string file) => $"/hub/{Repository}/resolve/{Revision}/{file}";

    /// <summary>Gets the path of the revision API (<c>/api/models/{repo}/revision/{revision}</c>), as the hub serves it.</summary>
    public string RevisionApiPath(string revision) => $"/hub/api/models/{Repository}/revision/{revision}";

    /// <summary>
    /// Adds a commit whose repository files are the served revision's, each changed by <paramref name="change"/>
    /// (file name, bytes), served at <c>/resolve/{commit}/</c> and answered by the revision API.
    /// </summary>
    public void AddCommit(string commit, Func<string, byte[], byte[]> change)
    {
        foreach (string file in GlucoseModelSource.DefaultFiles)
        {
            _files[$"/hub/{Repository}/resolve/{commit}/{file}"] = change(file, _files[HubPath(file)]);
        }

        _commits[commit] = true;
    }

    /// <summary>Points a branch at a commit: its files are then the commit's, at <c>/resolve/{branch}/</c> too, as on the hub.</summary>
    public void SetBranch(string branch, string commit) => _branches[branch] = commit;

    /// <summary>Moves the branch to <paramref name="commit"/> once the first repository file has been served (a push during a download).</summary>
    public void MoveBranchAfterFirstFile(string branch, string commit) => _moveAfterFirstFile = (branch, commit);

    /// <summary>Gets a repository file's bytes at a commit added with <see cref="AddCommit"/>.</summary>
    public byte[] ContentAt(string commit, string file) => _files[$"/hub/{Repository}/resolve/{commit}/{file}"];

    /// <summary>Gets the server path of a file of the model folder.</summary>
    public string PathOf(string file) => file == "model.onnx" ? OnnxPath : HubPath(file);

    /// <summary>Answers <paramref name="status"/> for the file (a model-folder name such as <c>config.json</c>).</summary>
    public void Refuse(string file, HttpStatusCode status) => _statuses[PathOf(file)] = status;

    /// <summary>Answers 429 with <c>Retry-After: <paramref name="retryAfter"/></c> for the next <paramref name="times"/> requests of the file.</summary>
    public void RateLimit(string file, int times, string retryAfter) => _limits[PathOf(file)] = (times, 429, [$"Retry-After: {retryAfter}"]);

    /// <summary>Answers 503 with <c>Retry-After: <paramref name="retryAfter"/></c> for the next <paramref name="times"/> requests of the file (maintenance).</summary>
    public void Unavailable(string file, int times, string retryAfter) => _limits[PathOf(file)] = (times, 503, [$"Retry-After: {retryAfter}"]);

    /// <summary>
    /// Answers 429 for the next <paramref name="times"/> requests of the file with the hub's own headers (the IETF
    /// draft's <c>RateLimit: "resolvers";r=0;t=N</c> and <c>RateLimit-Policy</c>) and no <c>Retry-After</c>.
    /// </summary>
    public void RateLimitWindow(string file, int times, int resetSeconds) =>
        _limits[PathOf(file)] = (times, 429, [$"RateLimit: \"resolvers\";r=0;t={resetSeconds}", "RateLimit-Policy: \"fixed window\";\"resolvers\";q=3000;w=300"]);

    /// <summary>Answers <paramref name="status"/> for every lookup of <paramref name="revision"/> in the revision API.</summary>
    public void RefuseRevisionApi(string revision, HttpStatusCode status) => _statuses[RevisionApiPath(revision)] = status;

    /// <summary>Answers <paramref name="status"/> on the CDN, for the LFS file the hub redirects there.</summary>
    public void RefuseCdn(HttpStatusCode status) => _statuses["/cdn/sentencepiece.bpe.model"] = status;

    /// <summary>Answers <paramref name="status"/> for every file.</summary>
    public void RefuseAll(HttpStatusCode status)
    {
        foreach (string path in _files.Keys)
        {
            _statuses[path] = status;
        }
    }

    /// <summary>Announces the full length but sends only <paramref name="bytes"/> bytes, then closes, for the next <paramref name="times"/> responses.</summary>
    public void Cut(string file, long bytes, int times = int.MaxValue) => _cuts[PathOf(file)] = (bytes, times, false);

    /// <summary>Sends <paramref name="bytes"/> bytes, then nothing more while the connection stays open, for the next <paramref name="times"/> responses.</summary>
    public void Stall(string file, long bytes, int times = 1) => _cuts[PathOf(file)] = (bytes, times, true);

    /// <summary>Sends every file whole again.</summary>
    public void Heal()
    {
        _cuts.Clear();
        _statuses.Clear();
    }

    public byte[] Content(string file) => _files[PathOf(file)];

    public IReadOnlyList<RecordedRequest> RequestsFor(string file)
    {
        string path = PathOf(file);
        return Requests.Where(r => r.Path == path).ToList();
    }

    /// <summary>Stops listening: later connections are refused.</summary>
    public void Stop()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }

    public void Dispose()
    {
        Stop();
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener; how it ended does not matter here.
        }

        _stop.Dispose();
    }

    [GeneratedRegex("^bytes=(\\d+)-$")]
    private static partial Regex RangePattern();

    private static string ETagOf(byte[] content) => "\"" + Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant() + "\"";

    private static async Task<(string Path, Dictionary<string, string> Headers)?> ReadRequestAsync(NetworkStream stream, CancellationToken token)
    {
        var buffer = new List<byte>(1024);
        var one = new byte[1];
        while (buffer.Count < 16384)
        {
            int read = await stream.ReadAsync(one, token);
            if (read == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            int n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n')
            {
                break;
            }
        }

        string[] lines = Encoding.ASCII.GetString(buffer.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        string[] requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        // Files are served by path; a query (the CDN's signature) is not part of it.
        string target = requestLine[1];
        return (Uri.UnescapeDataString(target.Contains('?', StringComparison.Ordinal) ? target[..target.IndexOf('?', StringComparison.Ordinal)] : target), headers);
    }

    private static async Task WriteHeadAsync(NetworkStream stream, int status, string reason, IEnumerable<string> headers, CancellationToken token)
    {
        var head = new StringBuilder();
        head.Append("HTTP/1.1 ").Append(status).Append(' ').Append(reason).Append("\r\n");
        foreach (string header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), token);
    }

    /// <summary>A repository path at a branch, rewritten to the commit the branch points at now.</summary>
    private string AtCommit(string path)
    {
        foreach ((string branch, string commit) in _branches)
        {
            string prefix = $"/hub/{Repository}/resolve/{branch}/";
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return $"/hub/{Repository}/resolve/{commit}/{path[prefix.Length..]}";
            }
        }

        return path;
    }

    /// <summary>The revision API: the commit a branch points at (or a known commit itself), as <c>{"id", "sha"}</c>.</summary>
    private async Task RespondRevisionAsync(NetworkStream stream, string path, CancellationToken token)
    {
        string prefix = $"/hub/api/models/{Repository}/revision/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            await WriteHeadAsync(stream, 401, "Unauthorized", ["X-Error-Code: RepoNotFound", "X-Error-Message: Repository not found", "Content-Length: 0"], token);
            return;
        }

        string revision = path[prefix.Length..];
        string? commit = _branches.TryGetValue(revision, out string? target) ? target : _commits.ContainsKey(revision) ? revision : null;
        if (commit is null)
        {
            await WriteHeadAsync(stream, 404, "Not Found", ["X-Error-Code: RevisionNotFound", $"X-Error-Message: Invalid rev id: {revision}", "Content-Length: 0"], token);
            return;
        }

        byte[] body = Encoding.UTF8.GetBytes($"{{\"_id\":\"0\",\"id\":\"{Repository}\",\"sha\":\"{commit}\",\"private\":false}}");
        await WriteHeadAsync(stream, 200, "OK", ["Content-Type: application/json; charset=utf-8", $"Content-Length: {body.Length}"], token);
        await stream.WriteAsync(body, token);
        await stream.FlushAsync(token);
    }

    private async Task AcceptLoopAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(Task.Run(() => ServeAsync(client)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                (string Path, Dictionary<string, string> Headers)? request = await ReadRequestAsync(stream, _stop.Token);
                if (request is not { } r)
                {
                    return;
                }

                r.Headers.TryGetValue("Range", out string? range);
                r.Headers.TryGetValue("Authorization", out string? authorization);
                r.Headers.TryGetValue("If-Range", out string? ifRange);
                r.Headers.TryGetValue("Accept-Encoding", out string? acceptEncoding);
                Requests.Enqueue(new RecordedRequest(r.Path, range, authorization, ifRange, acceptEncoding));
                await RespondAsync(stream, r.Path, range, ifRange, authorization);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // The client went away, or the server stopped.
            }
        }
    }

    private async Task RespondAsync(NetworkStream stream, string path, string? range, string? ifRange, string? authorization)
    {
        CancellationToken token = _stop.Token;
        if (HeaderDelay > TimeSpan.Zero)
        {
            await Task.Delay(HeaderDelay, token);
        }

        if (CaptivePortal)
        {
            byte[] page = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body>Sign in to use this network.</body></html>");
            await WriteHeadAsync(stream, 200, "OK", ["Content-Type: text/html; charset=utf-8", $"Content-Length: {page.Length}"], token);
            await stream.WriteAsync(page, token);
            return;
        }

        if (_limits.TryGetValue(path, out (int Times, int Status, string[] Headers) limit) && limit.Times > 0)
        {
            _limits[path] = (limit.Times - 1, limit.Status, limit.Headers);
            await WriteHeadAsync(stream, limit.Status, limit.Status == 429 ? "Too Many Requests" : "Service Unavailable", [.. limit.Headers, "Content-Length: 0"], token);
            return;
        }

        if (RenamedFrom is string old && path.StartsWith($"/hub/{old}/", StringComparison.Ordinal))
        {
            await WriteHeadAsync(stream, 307, "Temporary Redirect", [$"Location: /hub/{Repository}/{path[($"/hub/{old}/".Length)..]}", "Content-Length: 0"], token);
            return;
        }

        if (Disabled && path.StartsWith("/hub/", StringComparison.Ordinal))
        {
            await WriteHeadAsync(stream, 403, "Forbidden", ["X-Error-Message: Access to this resource is disabled.", "Content-Length: 0"], token);
            return;
        }

        if (Gated && path.StartsWith("/hub/", StringComparison.Ordinal) && (RequiredToken is null || authorization != $"Bearer {RequiredToken}"))
        {
            (int code, string reason) = authorization is null ? (401, "Unauthorized") : (403, "Forbidden");
            await WriteHeadAsync(stream, code, reason, ["X-Error-Code: GatedRepo", $"X-Error-Message: Access to model {Repository} is restricted.", "Content-Length: 0"], token);
            return;
        }

        if (RequiredToken is string required && path.StartsWith("/hub/", StringComparison.Ordinal) && authorization != $"Bearer {required}")
        {
            await WriteHeadAsync(stream, 401, "Unauthorized", ["X-Error-Code: RepoNotFound", "X-Error-Message: Repository not found", "Content-Length: 0"], token);
            return;
        }

        if (_statuses.TryGetValue(path, out HttpStatusCode refused))
        {
            await WriteHeadAsync(stream, (int)refused, refused.ToString(), ["Content-Length: 0"], token);
            return;
        }

        if (path.StartsWith("/hub/api/models/", StringComparison.Ordinal))
        {
            await RespondRevisionAsync(stream, path, token);
            return;
        }

        path = AtCommit(path);
        if (path == HubPath("sentencepiece.bpe.model"))
        {
            await WriteHeadAsync(stream, 302, "Found", [$"Location: {CdnBase}/sentencepiece.bpe.model?{CdnSignature}", $"X-Linked-Etag: {ETagOf(_files["/cdn/sentencepiece.bpe.model"])}", $"X-Linked-Size: {_files["/cdn/sentencepiece.bpe.model"].Length}", "Content-Length: 0"], token);
            return;
        }

        if (!_files.TryGetValue(path, out byte[]? content))
        {
            // The hub's answers: 401 for a repository it does not know (the same as for a private one), 404 with a code
            // for a revision or a file that does not exist.
            string[] headers = !path.StartsWith("/hub/", StringComparison.Ordinal) ? []
                : !path.StartsWith($"/hub/{Repository}/resolve/", StringComparison.Ordinal) ? ["X-Error-Code: RepoNotFound", "X-Error-Message: Repository not found"]
                : !_commits.Keys.Any(commit => path.StartsWith($"/hub/{Repository}/resolve/{commit}/", StringComparison.Ordinal)) ? ["X-Error-Code: RevisionNotFound", "X-Error-Message: Invalid rev id"]
                : ["X-Error-Code: EntryNotFound", "X-Error-Message: Entry not found"];
            (int code, string reason) = headers.Length > 0 && headers[0].EndsWith("RepoNotFound", StringComparison.Ordinal) ? (401, "Unauthorized") : (404, "Not Found");
            await WriteHeadAsync(stream, code, reason, [.. headers, "Content-Length: 0"], token);
            return;
        }

        if (path.StartsWith($"/hub/{Repository}/resolve/", StringComparison.Ordinal) && _moveAfterFirstFile is (string branch, string next))
        {
            // Moved before this answer is sent, so that the next request surely sees the new commit.
            _moveAfterFirstFile = null;
            _branches[branch] = next;
        }

        string etag = ETagOf(content);

        // A bucket states its object's MD5 (of the whole object, also on a 206), as Google Cloud Storage does.
#pragma warning disable CA5351 // The bucket's own checksum, not a security measure.
        string[] bucket = path == OnnxPath ? [$"x-goog-hash: crc32c=AAAAAA==, md5={Convert.ToBase64String(MD5.HashData(content))}", $"x-goog-generation: {Interlocked.Read(ref _generation)}"] : [];
        if (ContentEncoding is string encoding)
        {
            bucket = [.. bucket, $"Content-Encoding: {encoding}"];
        }
#pragma warning restore CA5351
        if ((CorruptCdn && path.StartsWith("/cdn/", StringComparison.Ordinal)) || (CorruptBucket && path == OnnxPath))
        {
            content = (byte[])content.Clone();
            content[content.Length / 2] ^= 0x20;
        }
        long start = 0;
        Match match = RangePattern().Match(range ?? string.Empty);
        if (!IgnoreRange && match.Success && (ifRange is null || ifRange == etag || IgnoreIfRange))
        {
            start = long.Parse(match.Groups[1].Value);
            if (start >= content.Length)
            {
                byte[] error = RangeErrorBody
                    ? Encoding.UTF8.GetBytes("<?xml version='1.0' encoding='UTF-8'?><Error><Code>InvalidRange</Code><Message>The requested range cannot be satisfied.</Message></Error>")
                    : [];
                await WriteHeadAsync(stream, 416, "Range Not Satisfiable", [$"Content-Range: bytes */{content.Length}", $"ETag: {etag}", $"Content-Length: {error.Length}", "Content-Type: application/xml; charset=UTF-8", .. bucket], token);
                await stream.WriteAsync(error, token);
                await stream.FlushAsync(token);
                return;
            }

            await WriteHeadAsync(
                stream,
                206,
                "Partial Content",
                [$"Content-Length: {content.Length - start}", $"Content-Range: bytes {start}-{content.Length - 1}/{content.Length}", $"ETag: {etag}", "Accept-Ranges: bytes", .. bucket],
                token);
        }
        else
        {
            await WriteHeadAsync(stream, 200, "OK", [$"Content-Length: {content.Length}", $"ETag: {etag}", "Accept-Ranges: bytes", "Content-Type: application/octet-stream", .. bucket], token);
        }

        long end = content.Length;
        bool hang = false;
        if (_cuts.TryGetValue(path, out (long Bytes, int Times, bool Hang) cut) && cut.Times > 0)
        {
            _cuts[path] = (cut.Bytes, cut.Times - 1, cut.Hang);
            end = Math.Min(end, start + cut.Bytes);
            hang = cut.Hang;
        }

        for (long at = start; at < end; at += 65536)
        {
            int count = (int)Math.Min(65536, end - at);
            await stream.WriteAsync(content.AsMemory((int)at, count), token);
            if (ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(ChunkDelay, token);
            }
        }

        await stream.FlushAsync(token);
        if (hang)
        {
            await Task.Delay(Timeout.Infinite, token);
        }
    }
}
