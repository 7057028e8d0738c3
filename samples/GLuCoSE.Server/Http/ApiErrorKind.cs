namespace GLuCoSE.Server.Http;

/// <summary>What went wrong with a request; each kind has one status code and a name in each API's error shape.</summary>
internal enum ApiErrorKind
{
    /// <summary>400: the request is malformed or breaks a rule.</summary>
    InvalidRequest,

    /// <summary>400: the request has no texts.</summary>
    Empty,

    /// <summary>401: the API key is missing or wrong.</summary>
    Unauthorized,

    /// <summary>413: the body is over <see cref="ServerLimits.MaxRequestBodyBytes"/>.</summary>
    TooLarge,

    /// <summary>503 with Retry-After: the queue is full.</summary>
    Overloaded,

    /// <summary>503 with Retry-After: the model is still loading.</summary>
    Loading,

    /// <summary>500: a fault of the server's; details are logged, never sent.</summary>
    Internal,
}
