using System;
using System.Runtime.ExceptionServices;

namespace GLuCoSE.Scheduling;

/// <summary>One text waiting in the <see cref="MicroBatcher"/> for a round: its token ids in, its embedding (or error) out.</summary>
internal sealed class SingleRequest(int[] ids)
{
    private ExceptionDispatchInfo? _error;

    public int[] Ids { get; } = ids;

    public float[]? Result { get; set; }

    public bool HasFailed => _error is not null;

    internal bool IsComplete { get; set; }

    internal MicroBatcher.Turn? Turn { get; set; }

    public void Fail(Exception ex) => _error = ExceptionDispatchInfo.Capture(ex);

    /// <summary>Returns the result, or throws the error the round failed with.</summary>
    public float[] GetResult()
    {
        _error?.Throw();
        return Result!;
    }
}
