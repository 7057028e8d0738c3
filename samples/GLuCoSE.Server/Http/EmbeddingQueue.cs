namespace GLuCoSE.Server.Http;

/// <summary>
/// The bound on embedding requests: at most <see cref="ServerLimits.MaxConcurrentRequests"/> run at once (their texts
/// share the embedder's micro-batches) and at most <see cref="ServerLimits.MaxQueuedRequests"/> more wait, in
/// roughly the order they came; any further request is refused at once with 503 and Retry-After, so memory stays
/// bounded under overload. A request takes its turn before its body is read.
/// </summary>
internal sealed class EmbeddingQueue : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _maxRunning;
    private readonly int _maxWaiting;
    private int _waiting;

    public EmbeddingQueue(ServerOptions options)
    {
        _maxRunning = options.Limits.MaxConcurrentRequests;
        _maxWaiting = options.Limits.MaxQueuedRequests;
        _slots = new SemaphoreSlim(_maxRunning, _maxRunning);
    }

    /// <summary>Gets the requests running now.</summary>
    public int Running => _maxRunning - _slots.CurrentCount;

    /// <summary>Gets the requests waiting for a turn now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Waits for a turn; a 503 when the queue is full. Call <see cref="Leave"/> once the request is done.</summary>
    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None))
        {
            return;
        }

        if (Interlocked.Increment(ref _waiting) > _maxWaiting)
        {
            Interlocked.Decrement(ref _waiting);
            throw new ApiException(
                ApiErrorKind.Overloaded,
                $"The server is at capacity ({_maxRunning} requests embedding, {_maxWaiting} waiting: " +
                $"{ServerLimits.Key(nameof(ServerLimits.MaxConcurrentRequests))}, {ServerLimits.Key(nameof(ServerLimits.MaxQueuedRequests))}); " +
                $"retry after {ApiErrors.RetryAfterSeconds} s.");
        }

        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Leave() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
