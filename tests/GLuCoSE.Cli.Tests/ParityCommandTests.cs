using System;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using GLuCoSE.Cli.IO;
using GLuCoSE.Cli.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Cli.Tests;

/// <summary><c>glucose parity</c> on the tiny model's parity.json (rows of the PyTorch reference fixtures).</summary>
public sealed class ParityCommandTests
{
    private static readonly string ModelDir = TestPaths.TinyModel;

    [Fact]
    public async Task Parity_TinyModelParityFile_Passes()
    {
        CliRun run = await CliRun.RunAsync("parity", "--model", ModelDir);

        Assert.Equal(Cli.Ok, run.ExitCode);
        Assert.Contains("parity: all 7 sentences match", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parity_OneIdChanged_Fails()
    {
        using var file = new ChangedParityFile(sentences => sentences[1]!["ids"]![5] = sentences[1]!["ids"]![5]!.GetValue<int>() + 1);

        CliRun run = await CliRun.RunAsync("parity", "--model", ModelDir, "--file", file.Path);

        Assert.Equal(Cli.Failed, run.ExitCode);
        Assert.Contains("FAIL  [2]", run.Output, StringComparison.Ordinal);
        Assert.Contains("ids differ at position 5", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parity_EmbeddingChangedBy1e3_Fails()
    {
        using var file = new ChangedParityFile(sentences => sentences[2]!["embedding"]![7] = sentences[2]!["embedding"]![7]!.GetValue<double>() + 1e-3);

        CliRun run = await CliRun.RunAsync("parity", "--model", ModelDir, "--file", file.Path);

        Assert.Equal(Cli.Failed, run.ExitCode);
        Assert.Contains("embedding differs by", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parity_MissingFile_Fails()
    {
        string missing = Path.Combine(Path.GetTempPath(), "glucose-cli-" + Guid.NewGuid().ToString("N") + ".json");

        CliRun run = await CliRun.RunAsync("parity", "--model", ModelDir, "--file", missing);

        Assert.Equal(Cli.Failed, run.ExitCode);
        Assert.StartsWith("glucose parity: ", run.Error, StringComparison.Ordinal);
        Assert.Contains(missing, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parity_NoModel_IsAUsageError()
    {
        CliRun run = await CliRun.RunAsync("parity");

        Assert.Equal(Cli.Usage, run.ExitCode);
        Assert.Contains("--model", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParityFile_NonNumericId_NamesTheSentenceAndField()
    {
        using var file = new ChangedParityFile(sentences => sentences[3]!["ids"]![0] = "zero");

        var ex = Assert.Throws<InvalidDataException>(() => ParityFile.Read(file.Path));

        Assert.Contains("sentence 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"ids\"[0]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParityFile_TinyModel_ReadsEverySentence()
    {
        ParityFile parity = ParityFile.Read(Path.Combine(ModelDir, "parity.json"));

        Assert.Equal(512, parity.MaxSequenceLength);
        Assert.Equal(7, parity.Sentences.Count);
        Assert.All(parity.Sentences, s => Assert.Equal(32, s.Embedding.Length));
        Assert.Contains(parity.Sentences, s => s.Ids.Length == 512);
    }

    /// <summary>A copy of the tiny model's parity.json with one change, in a temporary file.</summary>
    private sealed class ChangedParityFile : IDisposable
    {
        public ChangedParityFile(Action<JsonArray> change)
        {
            JsonNode root = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(ModelDir, "parity.json")))!;
            change(root["sentences"]!.AsArray());
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "glucose-cli-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(Path, root.ToJsonString());
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
