using System;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace GLuCoSE.Hub;

/// <summary>
/// Resolves a branch or tag to the commit it names now, with the hub's revision API
/// (<c>GET {endpoint}/api/models/{owner/name}/revision/{revision}</c>, whose JSON holds the commit as <c>sha</c>), as
/// huggingface_hub does before it fetches any file: every file then comes from that one commit.
/// </summary>
internal static class RevisionResolver
{
    /// <summary>
    /// Returns the commit hash. A 429 or a 5xx is retried as a file download is; a hub that does not answer at all is
    /// not (an <see cref="HttpRequestException"/> without a status code), so that the caller can fall back on the
    /// cache at once, as huggingface_hub does.
    /// </summary>
    public static async Task<string> ResolveAsync(ResolvedSource source, HubEnvironment environment, CancellationToken cancellationToken)
    {
        var lookup = new RemoteFile($"revision/{source.Revision}", ApiUrl(source), OnHub: true);
        var downloader = new FileDownloader(source, environment, progress: null);
        Exception? last = null;
        int attempts = Math.Max(1, environment.MaxAttempts);
        for (int attempt = 1; attempt <= attempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(downloader.WaitBefore(attempt, last), environment.Time, cancellationToken).ConfigureAwait(false);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(environment.ResponseTimeout);
            HttpResponseMessage response;
            FileDownloader.Hop answered;
            try
            {
                (response, answered) = await downloader.SendFollowingRedirectsAsync(lookup, NewRequest, timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw HubErrors.Unreachable(source, lookup, attempt, ex);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw HubErrors.Unreachable(source, lookup, attempt, new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no response in {environment.ResponseTimeout.TotalSeconds:0.###} s ({HubEnvironment.EtagTimeoutVariable})")));
            }

            using (response)
            {
                HttpStatusCode status = response.StatusCode;
                if (FileDownloader.IsTransient(status))
                {
                    last = new FileDownloader.RetryLaterException(status, response.ReasonPhrase, downloader.RetryAfter(response), answered.Url);
                    continue;
                }

                string? errorCode = FileDownloader.Header(response, "X-Error-Code");
                if (status == HttpStatusCode.NotFound && errorCode is null)
                {
                    throw HubErrors.NoRevisionApi(source, lookup.Url);
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw HubErrors.Refused(source, lookup, status, response.ReasonPhrase, answered.OnHub, answered.Url, errorCode, FileDownloader.Header(response, "X-Error-Message"));
                }

                byte[] body;
                try
                {
                    body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    last = new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no data for {environment.ResponseTimeout.TotalSeconds:0.###} s ({HubEnvironment.EtagTimeoutVariable})"));
                    continue;
                }
                catch (HttpRequestException ex)
                {
                    last = ex;
                    continue;
                }

                return ReadCommit(source, lookup.Url, body);
            }
        }

        if (last is FileDownloader.RetryLaterException { StatusCode: HttpStatusCode.TooManyRequests } limited)
        {
            throw HubErrors.RateLimited(source, lookup, attempts, limited.RetryAfter, limited.Url);
        }

        if (last is HttpRequestException { StatusCode: HttpStatusCode status5xx } refused)
        {
            throw HubErrors.Refused(source, lookup, status5xx, refused.Message, fromHub: true, lookup.Url);
        }

        throw HubErrors.Unreachable(source, lookup, attempts, last!);
    }

    private static Uri ApiUrl(ResolvedSource source) =>
        new($"{source.Endpoint.AbsoluteUri.TrimEnd('/')}/api/models/{source.Repository}/revision/{Uri.EscapeDataString(source.Revision)}");

    private static HttpRequestMessage NewRequest(Uri url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        return request;
    }

    private static string ReadCommit(ResolvedSource source, Uri url, byte[] body)
    {
        string? sha = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("sha", out JsonElement value) && value.ValueKind == JsonValueKind.String)
            {
                sha = value.GetString();
            }
        }
        catch (JsonException)
        {
            // Reported below, as an answer without a commit.
        }

        return sha is not null && ResolvedSource.IsCommitHash(sha) ? sha : throw HubErrors.NoCommitInAnswer(source, url, sha);
    }
}
