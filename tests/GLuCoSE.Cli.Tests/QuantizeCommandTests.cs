using System;
using System.IO;
using System.Threading.Tasks;
using GLuCoSE.Cli.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Cli.Tests;

/// <summary><c>glucose quantize</c> on a copy of the tiny model: what it writes, that it loads, and how it fails.</summary>
public sealed class QuantizeCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "glucose-cli-quantize-" + Guid.NewGuid().ToString("N"));

    public QuantizeCommandTests()
    {
        Directory.CreateDirectory(_folder);
        foreach (string name in new[] { "model.onnx", "sentencepiece.bpe.model", "config.json", "sentence_bert_config.json" })
        {
            File.Copy(Path.Combine(TestPaths.TinyModel, name), Path.Combine(_folder, name));
        }
    }

    [Fact]
    public async Task Quantize_Folder_WritesModelInt8BesideTheGraphAndItEmbeds()
    {
        CliRun run = await CliRun.RunAsync("quantize", "--model", _folder, "--quiet");

        string written = Path.Combine(_folder, "model_int8.onnx");
        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Equal(written, run.Output.Trim());
        Assert.True(File.Exists(written + ".data"));
        Assert.Contains("MB (graph + .data)", run.Error, StringComparison.Ordinal);
        CliRun similarity = await CliRun.RunAsync("similarity", "--model", _folder, "--onnx", "model_int8.onnx", "今日は晴れです。", "今日は天気が良い。");
        Assert.Equal(Cli.Ok, similarity.ExitCode);
    }

    [Fact]
    public async Task Quantize_Output_WritesThatFileAndItsFolder()
    {
        string output = Path.Combine(_folder, "out", "tiny_int8.onnx");

        CliRun run = await CliRun.RunAsync("quantize", "--model", Path.Combine(_folder, "model.onnx"), "--output", output);

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Equal(output, run.Output.Trim());
        Assert.True(File.Exists(output) && File.Exists(output + ".data"));
        Assert.False(File.Exists(Path.Combine(_folder, "model_int8.onnx")));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("quantized")]
    [InlineData("not-onnx")]
    public async Task Quantize_BadGraph_FailsWithTheReason(string what)
    {
        string model = what switch
        {
            "missing" => Path.Combine(_folder, "nothing.onnx"),
            "not-onnx" => Path.Combine(_folder, "config.json"),
            _ => Path.Combine(_folder, "model_int8.onnx"),
        };
        if (what == "quantized")
        {
            Assert.Equal(Cli.Ok, (await CliRun.RunAsync("quantize", "--model", _folder, "--quiet")).ExitCode);
        }

        CliRun run = await CliRun.RunAsync("quantize", "--model", model, "--output", Path.Combine(_folder, "again.onnx"), "--quiet");

        Assert.Equal(Cli.Failed, run.ExitCode);
        Assert.StartsWith("glucose quantize: ", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "again.onnx")));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
