using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace GLuCoSE.Inference;

/// <summary>
/// Two lanes over one session with half the embedder's intra-op threads (one on a 2-core machine): the calling thread
/// and a helper thread each run whole batches, so two small batches go on at once instead of one after the other on
/// every intra-op thread. The embedder sends them the two halves of a micro-batch of concurrent single texts, and the
/// two halves of a bulk batch of moderate size.
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

    /// <summary>
    /// The fewest padded tokens a bulk batch needs to be split between the lanes. Below it the halves gain nothing:
    /// splitting every batch of 32 JSTS sentences (about 300 padded tokens) made fp32 <c>Encode</c> 2% slower, though
    /// int8 12% faster (benchmarks' <c>throughput --lanes both</c>; one floor for both graphs); with this floor,
    /// batches of 1,024 tokens (the CPU default) run 8.5% (fp32) and 18% (int8) faster split than whole
    /// (<c>policies</c>, 128:1024 against 128:1024/off).
    /// </summary>
    public const int MinBulkBatchTokens = 512;

    /// <summary>
    /// The most padded tokens per lane when a bulk batch is split between the lanes. Larger runs go as fast or faster
    /// on all the threads: two one-thread runs side by side against one two-thread run of the same shape gave −1% at
    /// 128 × 16 tokens, −9% at 128 × 40 and −11% at 32 × 64 for fp32, and 0%, −3% and −8% for int8 (<c>shapes</c>).
    /// </summary>
    public const int MaxBulkRunTokens = 1024;

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
