namespace GLuCoSE.Server.Http;

/// <summary>A request the server refuses, with the message the client gets and the request field at fault.</summary>
internal sealed class ApiException : Exception
{
    public ApiException()
    {
    }

    public ApiException(string message)
        : this(ApiErrorKind.InvalidRequest, message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ApiException(ApiErrorKind kind, string message, string? param = null)
        : base(message)
    {
        Kind = kind;
        Param = param;
    }

    /// <summary>Gets what went wrong.</summary>
    public ApiErrorKind Kind { get; }

    /// <summary>Gets the request field at fault (OpenAI's <c>param</c>), or null.</summary>
    public string? Param { get; }
}
