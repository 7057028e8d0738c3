namespace GLuCoSE.Server.Tests.Infrastructure;

/// <summary>A request in flight on the server, its body half sent, until <see cref="Release"/>.</summary>
internal sealed class HeldRequest : IDisposable
{
    private readonly GatedContent _content;

    private HeldRequest(GatedContent content, Task<HttpResponseMessage> response)
    {
        _content = content;
        Response = response;
    }

    /// <summary>Gets the held request's response, which comes once the body is released.</summary>
    public Task<HttpResponseMessage> Response { get; }

    /// <summary>
    /// Sends the request and returns once <paramref name="inServerHands"/> says the server is reading its body (so it
    /// has its turn in the queue).
    /// </summary>
    public static async Task<HeldRequest> HoldAsync(HttpClient client, string path, string json, Func<Task> inServerHands)
    {
        var content = new GatedContent(json);
        Task<HttpResponseMessage> response = client.PostAsync(path, content, TestContext.Current.CancellationToken);
        await content.HeadSent.Task.WaitAsync(RunningServer.HangGuard, TestContext.Current.CancellationToken);
        await inServerHands().WaitAsync(RunningServer.HangGuard, TestContext.Current.CancellationToken);
        Assert.False(response.IsCompleted, "the held request was answered before its body was sent");
        return new HeldRequest(content, response);
    }

    public void Release() => _content.Release();

    public void Dispose()
    {
        _content.Release();
        _content.Dispose();
    }
}
