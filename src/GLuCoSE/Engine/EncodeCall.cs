using System;
using System.Threading;

namespace GLuCoSE.Engine;

/// <summary>One bulk call's settings and counters: prompt prefix, cancellation, progress, tokens and truncations.</summary>
internal sealed class EncodeCall(string prefix, IProgress<EncodeProgress>? progress = null, CancellationToken cancellationToken = default)
{
    private int _done;

    /// <summary>Gets the prompt's prefix put before every text (empty for none).</summary>
    public string Prefix { get; } = prefix;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Gets the texts in the call.</summary>
    public int Texts { get; private set; }

    /// <summary>Gets the tokens the model processed, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included.</summary>
    public long Tokens { get; private set; }

    /// <summary>Gets how many texts were longer than the token limit.</summary>
    public int Truncated { get; private set; }

    public void Start(int texts)
    {
        Texts = texts;
        CancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new EncodeProgress(0, texts));
    }

    public void Count(int tokens, bool truncated)
    {
        Tokens += tokens;
        Truncated += truncated ? 1 : 0;
    }

    public void Completed(int texts)
    {
        _done += texts;
        progress?.Report(new EncodeProgress(_done, Texts));
    }
}
