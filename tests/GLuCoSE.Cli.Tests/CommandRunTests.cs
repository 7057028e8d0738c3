using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Cli.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Cli.Tests;

/// <summary>The commands run on the tiny model: their output, the model options taking effect, failures (exit 1) and interruption (130).</summary>
public sealed class CommandRunTests
{
    private const string Long = "今日は晴れです。今日は晴れです。今日は晴れです。";
    private static readonly string Model = TestPaths.TinyModel;
    private static readonly string Corpus = TestPaths.InRepository(Path.Combine("samples", "data", "corpus-sample.txt"));
    private static readonly string StsPairs = TestPaths.InRepository(Path.Combine("samples", "data", "sts-pairs-sample.jsonl"));

    [Fact]
    public async Task Similarity_ThreeTexts_PrintsTextsThenMatrix()
    {
        CliRun run = await CliRun.RunAsync("similarity", "--model", Model, "今日は晴れです。", "今日は天気が良い。", "猫が好きです。");

        Assert.Equal(Cli.Ok, run.ExitCode);
        string[] lines = run.Output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(["[1] 今日は晴れです。", "[2] 今日は天気が良い。", "[3] 猫が好きです。", string.Empty, "          [1]     [2]     [3]"], lines[..5]);
        Assert.Matches(@"^\[1\]    1\.0000  [-0-9.]{6}  [-0-9.]{6}$", lines[5]);
        Assert.Equal(8, lines.Length);
    }

    [Fact]
    public async Task Similarity_MaxLength_TruncatesTheTexts()
    {
        double full = Cosine12(await CliRun.RunAsync("similarity", "--model", Model, "a", Long));
        double truncated = Cosine12(await CliRun.RunAsync("similarity", "--model", Model, "--max-length", "4", "a", Long));

        Assert.NotEqual(full, truncated);
    }

    [Fact]
    public async Task Similarity_V2Prompts_PutsThePassagePromptFirst()
    {
        // With 4 tokens ("<s>", the prompt's pieces, "</s>") nothing of either text is left: the two embeddings are equal.
        CliRun run = await CliRun.RunAsync("similarity", "--model", Model, "--v2-prompts", "--max-length", "4", "a", Long);

        Assert.Equal(1.0, Cosine12(run), 4);
    }

    [Fact]
    public async Task Similarity_ThreadsAndBatchSize_AreAccepted()
    {
        CliRun run = await CliRun.RunAsync("similarity", "--model", Model, "--threads", "1", "--batch-size", "1", "--onnx", "model.onnx", "a", "b");

        Assert.Equal(Cli.Ok, run.ExitCode);
    }

    [Theory]
    [InlineData(new[] { "--onnx", "nope.onnx" }, "'nope.onnx' not found in model folder")]
    [InlineData(new[] { "--cuda" }, "Microsoft.ML.OnnxRuntime.Gpu.Linux")]
    public async Task Similarity_ModelThatDoesNotLoad_ExitsFailedWithTheLibrarysMessage(string[] options, string expected)
    {
        CliRun run = await CliRun.RunAsync(["similarity", "--model", Model, .. options, "a", "b"]);

        Assert.Equal(Cli.Failed, run.ExitCode);
        Assert.StartsWith("glucose similarity: ", run.Error, StringComparison.Ordinal);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Similarity_MissingModelFolder_ExitsFailed()
    {
        CliRun run = await CliRun.RunAsync("similarity", "--model", TestPaths.Temporary(string.Empty), "a", "b");

        Assert.Equal(Cli.Failed, run.ExitCode);
        Assert.StartsWith("glucose similarity: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Encode_Npy_WritesTheMatrixAndNoPartialFile()
    {
        string output = TestPaths.Temporary(".npy");
        try
        {
            CliRun run = await CliRun.RunAsync("encode", "--model", Model, "--input", Corpus, "--output", output, "--batch-size", "7", "--quiet");

            Assert.Equal(Cli.Ok, run.ExitCode);
            Assert.Equal($"wrote 20 embeddings of 32 dimensions to {output}", run.Output.TrimEnd());
            byte[] bytes = await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken);
            int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
            Assert.Contains("'shape': (20, 32)", System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength), StringComparison.Ordinal);
            Assert.Equal(10 + headerLength + (20 * 32 * 4), bytes.Length);
            Assert.False(File.Exists(output + ".partial"));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Encode_JsonLinesNormalized_WritesUnitVectorsInInputOrder()
    {
        string output = TestPaths.Temporary(".jsonl");
        try
        {
            CliRun run = await CliRun.RunAsync("encode", "--model", Model, "--input", Corpus, "--output", output, "--normalize", "--quiet");

            Assert.Equal(Cli.Ok, run.ExitCode);
            string[] lines = await File.ReadAllLinesAsync(output, TestContext.Current.CancellationToken);
            string[] texts = (await File.ReadAllLinesAsync(Corpus, TestContext.Current.CancellationToken)).Where(l => l.Length > 0).ToArray();
            Assert.Equal(texts.Length, lines.Length);
            for (int i = 0; i < lines.Length; i++)
            {
                using JsonDocument row = JsonDocument.Parse(lines[i]);
                Assert.Equal(i, row.RootElement.GetProperty("index").GetInt32());
                Assert.Equal(texts[i], row.RootElement.GetProperty("text").GetString());
                double norm = Math.Sqrt(row.RootElement.GetProperty("embedding").EnumerateArray().Sum(v => v.GetDouble() * v.GetDouble()));
                Assert.Equal(1.0, norm, 5);
            }
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Encode_MissingInput_ExitsFailedAndWritesNothing()
    {
        string input = TestPaths.Temporary(".txt");
        string output = TestPaths.Temporary(".npy");

        CliRun run = await CliRun.RunAsync("encode", "--model", Model, "--input", input, "--output", output);

        Assert.Equal(Cli.Failed, run.ExitCode);
        Assert.StartsWith($"glucose encode: '{input}' not found", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Encode_Interrupted_Exits130AndWritesNothing()
    {
        string output = TestPaths.Temporary(".npy");
        using var interrupted = new CancellationTokenSource();
        await interrupted.CancelAsync();

        CliRun run = await CliRun.RunAsync(interrupted.Token, "encode", "--model", Model, "--input", Corpus, "--output", output, "--quiet");

        Assert.Equal(Cli.Interrupted, run.ExitCode);
        Assert.Equal("glucose: interrupted", run.Error.TrimEnd());
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".partial"));
    }

    [Fact]
    public async Task EvalJsts_SamplePairs_ScoresEveryPair()
    {
        CliRun run = await CliRun.RunAsync("eval-jsts", "--model", Model, "--data", StsPairs, "--quiet");

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.StartsWith("pairs scored: 16 (", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Spearman x100: -?[0-9]+\.[0-9]{2}$", run.Output.ReplaceLineEndings("\n"));
        Assert.Matches(@"(?m)^Pearson x100: -?[0-9]+\.[0-9]{2}$", run.Output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Download_FolderSource_PrintsTheFolder()
    {
        CliRun run = await CliRun.RunAsync("download", "--source", Model, "--quiet");

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Equal(Model, run.Output.TrimEnd());
    }

    private static double Cosine12(CliRun run)
    {
        Assert.Equal(Cli.Ok, run.ExitCode);
        Match row = Regex.Match(run.Output, @"(?m)^\[1\] +1\.0000 +(-?[0-9.]+)");
        Assert.True(row.Success, run.Output);
        return double.Parse(row.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
