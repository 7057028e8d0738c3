namespace GLuCoSE.Server.Tests.Infrastructure;

/// <summary>Keeps the body of each request a client sends, to see what the official clients ask for.</summary>
internal sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    public List<string> Bodies { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            string body = await request.Content.ReadAsStringAsync(cancellationToken);
            lock (Bodies)
            {
                Bodies.Add(body);
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
