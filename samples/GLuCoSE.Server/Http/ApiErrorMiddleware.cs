namespace GLuCoSE.Server.Http;

/// <summary>
/// Turns every failure into a response in the API's error shape: a refused request (<see cref="ApiException"/>) into
/// its status and message, a body Kestrel would not read into 400 or 413, and anything else into a 500 that says
/// nothing of the server's internals (the exception goes to the log, never to the client).
/// </summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ServerOptions options, ILogger<ApiErrorMiddleware> logger)
{
    private const int ClientClosedRequest = 499;

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            LogRefused(context, ApiErrors.StatusCode(ex.Kind), ex.Message);
            await WriteAsync(context, ex.Kind, ex.Message, ex.Param).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals while the body is read: over MaxRequestBodySize (413), too slow, cut short.
            ApiErrorKind kind = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? ApiErrorKind.TooLarge : ApiErrorKind.InvalidRequest;
            string message = kind == ApiErrorKind.TooLarge
                ? $"The request body is larger than {options.Limits.MaxRequestBodyBytes} bytes, the limit set by {ServerLimits.Key(nameof(ServerLimits.MaxRequestBodyBytes))}."
                : $"The request body could not be read: {ex.Message}";
            LogRefused(context, ApiErrors.StatusCode(kind), message);
            await WriteAsync(context, kind, message, param: null).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: there is no one to answer. The metrics count it as 499 (nginx's "client closed
            // request"), not as the 200 the response still holds.
            LogAborted(logger, context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = ClientClosedRequest;
            }
        }
#pragma warning disable CA1031 // Every other fault becomes a 500 without details, and the server lives on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(logger, ex, context.Request.Method, context.Request.Path);
            await WriteAsync(context, ApiErrorKind.Internal, "The server failed to process the request; its log has the details.", param: null).ConfigureAwait(false);
        }
    }

    private static Task WriteAsync(HttpContext context, ApiErrorKind kind, string message, string? param)
    {
        if (context.Response.HasStarted)
        {
            // Part of a response went out: a well-formed error can no longer follow, so cut the connection instead
            // of letting the client take a truncated body for a whole one.
            context.Abort();
            return Task.CompletedTask;
        }

        context.Response.Clear();
        return ApiErrors.WriteAsync(context, kind, message, param);
    }

    private void LogRefused(HttpContext context, int statusCode, string reason)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogRefused(logger, context.Request.Method, context.Request.Path, statusCode, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} refused with {StatusCode}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, int statusCode, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path}: the client disconnected before the response")]
    private static partial void LogAborted(ILogger logger, string method, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, PathString path);
}
