using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Linq;
using GLuCoSE.Execution;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests.Execution;

/// <summary>The <c>GLuCoSE</c> meter: each model run's texts, padded tokens and time reach a listener.</summary>
public sealed class EngineMetricsTests
{
    [Fact]
    public void Encode_WithAListener_RecordsEachRunsTextsTokensAndDuration()
    {
        var measurements = new ConcurrentBag<(string Instrument, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => measurements.Add((instrument.Name, value)));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measurements.Add((instrument.Name, value)));
        listener.Start();
        using var embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 64 });

        // 13 texts in one run: a batch size no other test uses, so tests running beside this one cannot supply it.
        embedder.Encode(Enumerable.Repeat("今日は晴れです。", 13).ToArray());

        Assert.Contains(("glucose.run.texts", 13.0), measurements);
        Assert.Contains(measurements, m => m.Instrument == "glucose.run.padded_tokens" && m.Value >= 13 && m.Value % 13 == 0);
        Assert.Contains(measurements, m => m.Instrument == "glucose.run.duration" && m.Value > 0);
    }
}
