using System.Security.Cryptography;
using System.Text;

namespace GLuCoSE.Server.Http;

/// <summary>
/// With <see cref="ServerOptions.ApiKey"/> set, lets a request through only with <c>Authorization: Bearer KEY</c>
/// (every path but <c>/health</c>). The key is compared as SHA-256 hashes with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, so the time taken says nothing of how much of it matched,
/// nor of its length; it is never logged.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ServerOptions options)
{
    private const string Scheme = "Bearer ";

    private readonly byte[]? _keyHash = options.ApiKey is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey));

    public Task InvokeAsync(HttpContext context)
    {
        if (_keyHash is null || context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        string? header = context.Request.Headers.Authorization;
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(ApiErrorKind.Unauthorized, "This server requires an API key: send the header 'Authorization: Bearer <key>'.");
        }

        byte[] given = SHA256.HashData(Encoding.UTF8.GetBytes(header.AsSpan(Scheme.Length).Trim().ToString()));
        if (!CryptographicOperations.FixedTimeEquals(given, _keyHash))
        {
            throw new ApiException(ApiErrorKind.Unauthorized, "The API key in the Authorization header is not this server's.");
        }

        return next(context);
    }
}
