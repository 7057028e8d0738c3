using System.Diagnostics.Metrics;

namespace GLuCoSE.Execution;

/// <summary>
/// The library's instruments, on the meter <c>GLuCoSE</c>: what each ONNX Runtime run held and how long it took, so
/// that OpenTelemetry (<c>AddMeter("GLuCoSE")</c>), <c>dotnet-counters</c> or a <c>MeterListener</c> see the batches the
/// library formed (micro-batches of concurrent <c>Encode(string)</c> calls included). Nothing is recorded unless a
/// listener is attached.
/// </summary>
internal static class EngineMetrics
{
    public const string MeterName = "GLuCoSE";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<int> Texts = Meter.CreateHistogram<int>(
        "glucose.run.texts", "{text}", "Texts per model run (the batch size ONNX Runtime ran).");

    private static readonly Histogram<int> PaddedTokens = Meter.CreateHistogram<int>(
        "glucose.run.padded_tokens", "{token}", "Padded tokens per model run (texts x the longest text's tokens).");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "glucose.run.duration", "s", "Time inside ONNX Runtime per model run.");

    public static void RecordRun(int texts, int paddedTokens, double seconds)
    {
        if (Texts.Enabled)
        {
            Texts.Record(texts);
        }

        if (PaddedTokens.Enabled)
        {
            PaddedTokens.Record(paddedTokens);
        }

        if (Duration.Enabled)
        {
            Duration.Record(seconds);
        }
    }
}
