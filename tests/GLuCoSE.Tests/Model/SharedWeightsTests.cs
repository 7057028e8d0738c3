using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using GLuCoSE.Execution;
using GLuCoSE.Model;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace GLuCoSE.Tests.Model;

/// <summary>One copy of the weights for both sessions: mapped in place where aligned, copied once into aligned memory where not.</summary>
public sealed class SharedWeightsTests
{
    private static string TinyGraph => TestPaths.TinyGraph;

    [Fact]
    public void Map_SessionsOnTheSharedWeights_GiveTheTokenStatesOfAPlainSessionBeforeAndAfterTrim()
    {
        int[][] batch = [[0, 100, 2000, 32771, 2], [0, 5, 2, 1, 1]];
        using OnnxEncoder plain = OnnxEncoder.Create(TinyGraph, GlucoseExecutionProvider.Cpu, 2);
        float[] expected = plain.Run(batch, out _).ToArray();

        using SharedWeights weights = SharedWeights.Map(TinyGraph, minBytes: 1);
        using OnnxEncoder first = OnnxEncoder.CreateShared(TinyGraph, optimized: false, 2, weights);
        using OnnxEncoder second = OnnxEncoder.CreateShared(TinyGraph, optimized: false, 1, weights);

        Assert.True(weights.SharedBytes > 0);
        Assert.Equal(expected, first.Run(batch, out _).ToArray());
        Assert.Equal(expected, second.Run(batch, out _).ToArray());
        weights.Trim();
        Assert.Equal(expected, first.Run(batch, out _).ToArray());
        Assert.Equal(expected, second.Run(batch, out _).ToArray());
    }

    [Fact]
    public void Map_WeightsAtUnalignedOffsets_SharesThemAllThroughAlignedCopies()
    {
        using var folder = new TempModelFolder();
        byte[] model = File.ReadAllBytes(folder.File("model.onnx"));
        File.WriteAllBytes(folder.File("model.onnx"), [0x32, 0x01, (byte)'x', .. model]);

        using SharedWeights weights = SharedWeights.Map(folder.File("model.onnx"));

        Assert.Equal(1.0, weights.SharedFraction);
        Assert.True(weights.SharedBytes > 0);
    }
}
