namespace GLuCoSE.Server.Http;

/// <summary>Counts and times every request, whatever its outcome, by route and status code (<see cref="ServerMetrics"/>).</summary>
internal sealed class MetricsMiddleware(RequestDelegate next, ServerMetrics metrics, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        long start = time.GetTimestamp();
        metrics.RequestStarted();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            // The route's template, never the raw path: a client cannot grow the number of series.
            string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.RequestEnded(route, context.Response.StatusCode, time.GetElapsedTime(start));
        }
    }
}
