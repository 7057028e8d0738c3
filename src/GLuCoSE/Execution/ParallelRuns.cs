using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace GLuCoSE.Execution;

/// <summary>
/// Two lanes over one session with half the intra-op threads (one on a 2-core machine): the calling thread and a
/// helper thread each run their own list of <see cref="ModelRun"/>s, so two small batches go on at once instead of one
/// after the other on every intra-op thread.
/// </summary>
/// <remarks>
/// On small runs ONNX Runtime's intra-op threads spend much of each operator waiting for one another; two runs side by
/// side keep both cores busy. Not thread-safe: one <see cref="Run"/> at a time (the engine's turn on the model).
/// </remarks>
internal sealed class ParallelRuns : IDisposable
{
    private readonly SemaphoreSlim _start = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly Thread _helper;
    private IReadOnlyList<ModelRun> _helperRuns = [];
    private ExceptionDispatchInfo? _helperError;
    private volatile bool _stopping;

    /// <param name="halfThreads">A session with half the main session's intra-op threads; the lanes own it.</param>
    public ParallelRuns(OnnxEncoder halfThreads)
    {
        Encoder = halfThreads;
        _helper = new Thread(HelperLoop) { IsBackground = true, Name = "GLuCoSE lane" };
        _helper.Start();
    }

    /// <summary>Gets the session the lanes run on.</summary>
    public OnnxEncoder Encoder { get; }

    /// <summary>
    /// Runs <paramref name="first"/> on the calling thread and <paramref name="second"/> on the helper at once; returns
    /// when both end, throwing the first lane's exception if any.
    /// </summary>
    public void Run(IReadOnlyList<ModelRun> first, IReadOnlyList<ModelRun> second)
    {
        _helperRuns = second;
        _helperError = null;
        _done.Reset();
        _start.Release();
        ExceptionDispatchInfo? callerError = null;
        try
        {
            RunAll(first);
        }
        catch (Exception ex)
        {
            callerError = ExceptionDispatchInfo.Capture(ex);
        }

        _done.Wait();
        _helperRuns = [];
        callerError?.Throw();
        _helperError?.Throw();
    }

    public void Dispose()
    {
        _stopping = true;
        _start.Release();
        _helper.Join();
        Encoder.Dispose();
        _start.Dispose();
        _done.Dispose();
    }

    private void RunAll(IReadOnlyList<ModelRun> runs)
    {
        foreach (ModelRun run in runs)
        {
            run.Execute(Encoder);
        }
    }

    private void HelperLoop()
    {
        while (true)
        {
            _start.Wait();
            if (_stopping)
            {
                return;
            }

            try
            {
                RunAll(_helperRuns);
            }
            catch (Exception ex)
            {
                _helperError = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                _done.Set();
            }
        }
    }
}
