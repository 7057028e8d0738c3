namespace GLuCoSE.Server;

/// <summary>The limits on requests: configuration section <c>Glucose:Limits</c>.</summary>
internal sealed class ServerLimits
{
    /// <summary>Gets or sets the largest request body in bytes; a larger one gets 413. Default 4 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets the most texts in one request; more get 400. Default 2,048 (OpenAI's limit).</summary>
    public int MaxInputsPerRequest { get; set; } = 2048;

    /// <summary>Gets or sets the most UTF-16 characters in one text; a longer one gets 400. Default 65,536.</summary>
    public int MaxInputCharacters { get; set; } = 65_536;

    /// <summary>
    /// Gets or sets how many embedding requests run at once; their texts share the embedder's micro-batches. Default 64.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Gets or sets how many more wait for a turn; beyond that a request gets 503 with Retry-After. Default 256.</summary>
    public int MaxQueuedRequests { get; set; } = 256;

    /// <summary>Throws a <see cref="ServerConfigurationException"/> naming the first limit out of range.</summary>
    public void Validate()
    {
        AtLeast(MaxRequestBodyBytes, 1, nameof(MaxRequestBodyBytes));
        AtLeast(MaxInputsPerRequest, 1, nameof(MaxInputsPerRequest));
        AtLeast(MaxInputCharacters, 1, nameof(MaxInputCharacters));
        AtLeast(MaxConcurrentRequests, 1, nameof(MaxConcurrentRequests));
        AtLeast(MaxQueuedRequests, 0, nameof(MaxQueuedRequests));
    }

    /// <summary>The configuration key of a limit, as error messages name it.</summary>
    public static string Key(string name) => $"{ServerOptions.Section}:Limits:{name}";

    private static void AtLeast(long value, long minimum, string name)
    {
        if (value < minimum)
        {
            throw new ServerConfigurationException($"{Key(name)} must be at least {minimum}; got {value}.");
        }
    }
}
