using GLuCoSE.Server.Model;
using GLuCoSE.Tests.Infrastructure;

namespace GLuCoSE.Server.Tests.Infrastructure;

/// <summary>Loads the tiny model only when the test says so, to see the server before its model is ready.</summary>
internal sealed class GatedEmbedderFactory : IEmbedderFactory
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _open.TrySetResult();

    public async Task<GlucoseEmbedder> CreateAsync(CancellationToken cancellationToken)
    {
        await _open.Task.WaitAsync(cancellationToken);
        return GlucoseEmbedder.Create(TestPaths.TinyModel);
    }
}
