namespace GLuCoSE.Server.Http;

/// <summary>Runs an embedding endpoint within its turn of the <see cref="EmbeddingQueue"/>.</summary>
internal sealed class EmbeddingQueueFilter(EmbeddingQueue queue) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        await queue.EnterAsync(context.HttpContext.RequestAborted).ConfigureAwait(false);
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        finally
        {
            queue.Leave();
        }
    }
}
