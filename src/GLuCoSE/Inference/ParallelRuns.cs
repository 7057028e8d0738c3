using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace GLuCoSE.Inference;

/// <summary>
/// Two lanes over one session with half the embedder's intra-op threads (one on a 2-core machine): the calling thread
/// and a helper thread each run whole batches, so two small batches go on at once instead of one after the other on
/// every intra-op thread.
/// </summary>
/// <remarks>
/// On a small batch, ONNX Runtime's intra-op threads spend much of each operator waiting for one another; two runs
/// side by side keep both cores busy with work instead. Not thread-safe: one <see cref="Run"/> at a time (the
/// embedder's turn on the model).
/// </remarks>
internal sealed class ParallelRuns : IDisposable
{
    private readonly OnnxEncoder _encoder;
    private readonly OnnxEncoder.RunBuffers _callerBuffers = new();
    private readonly OnnxEncoder.RunBuffers _helperBuffers = new();
    private readonly SemaphoreSlim _start = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly Thread _helper;
    private Action<int, OnnxEncoder, OnnxEncoder.RunBuffers>? _work;
    private ExceptionDispatchInfo? _helperError;
    private volatile bool _stopping;

    /// <summary>
    /// How many times as long a run takes on half the intra-op threads as on all of them, for the micro-batch shapes
    /// (1–32 texts of 10–24 tokens): 1.8–2.0 on 1 thread against 2 (benchmarks' <c>shapes</c> command, with
    /// <c>--threads 1 --parallel 2</c> against the default). The low end: a micro-batch goes to the lanes only when
    /// they split it evenly.
    /// </summary>
    public const double HalfThreadsSlowdown = 1.8;

    /// <summary>
    /// The fewest texts a micro-batch needs to go to the lanes: where their gain was measured. With 32 concurrent
    /// callers nearly every micro-batch holds 31 texts and throughput rose 0.8–6%; with 4 callers the lanes took 20 of
    /// 704 micro-batches of 4 and changed nothing measurable (benchmarks' <c>concurrent --lanes both</c>).
    /// </summary>
    public const int MinTexts = 8;

    /// <param name="halfThreads">A session with half the main session's intra-op threads; the lanes own it.</param>
    public ParallelRuns(OnnxEncoder halfThreads)
    {
        _encoder = halfThreads;
        _helper = new Thread(HelperLoop) { IsBackground = true, Name = "GLuCoSE parallel run" };
        _helper.Start();
    }

    /// <summary>Gets the session the lanes run on.</summary>
    public OnnxEncoder Encoder => _encoder;

    /// <summary>
    /// Runs <paramref name="lane"/> on the calling thread (lane 0) and on the helper (lane 1) at once, each with its own
    /// buffers; returns when both end, throwing the first lane's exception if any.
    /// </summary>
    public void Run(Action<int, OnnxEncoder, OnnxEncoder.RunBuffers> lane)
    {
        _work = lane;
        _helperError = null;
        _done.Reset();
        _start.Release();
        ExceptionDispatchInfo? callerError = null;
        try
        {
            lane(0, _encoder, _callerBuffers);
        }
        catch (Exception ex)
        {
            callerError = ExceptionDispatchInfo.Capture(ex);
        }

        _done.Wait();
        _work = null;
        callerError?.Throw();
        _helperError?.Throw();
    }

    public void Dispose()
    {
        _stopping = true;
        _start.Release();
        _helper.Join();
        _encoder.Dispose();
        _start.Dispose();
        _done.Dispose();
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
                _work!(1, _encoder, _helperBuffers);
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
