using System.Net;
using System.Text;

namespace GLuCoSE.Server.Tests.Infrastructure;

/// <summary>
/// A JSON body sent in two parts: the first at once, the rest only when <see cref="Release"/> is called. Until then
/// the request is in flight on the server, waiting for its body.
/// </summary>
internal sealed class GatedContent : HttpContent
{
    private readonly byte[] _head;
    private readonly byte[] _tail;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GatedContent(string json)
    {
        byte[] all = Encoding.UTF8.GetBytes(json);
        _head = all[..(all.Length / 2)];
        _tail = all[(all.Length / 2)..];
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
    }

    /// <summary>Gets a task that completes once the first part has been handed to the socket.</summary>
    public TaskCompletionSource HeadSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_head);
        await stream.FlushAsync();
        HeadSent.TrySetResult();
        await _release.Task;
        await stream.WriteAsync(_tail);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _head.Length + _tail.Length;
        return true;
    }
}
