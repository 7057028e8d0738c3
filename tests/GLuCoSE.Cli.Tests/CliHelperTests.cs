using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using GLuCoSE.Cli.IO;
using Xunit;

namespace GLuCoSE.Cli.Tests;

/// <summary>The parts of the CLI whose results a user relies on: the metric, the file formats, the text table.</summary>
public sealed class CliHelperTests
{
    [Fact]
    public void Spearman_ScipyExample_EqualsScipy()
    {
        // scipy.stats.spearmanr / pearsonr on the same data.
        double[] x = [1, 2, 3, 4, 5];
        double[] y = [5, 6, 7, 8, 7];

        Assert.Equal(0.8207826816681233, Correlation.Spearman(x, y), 12);
        Assert.Equal(0.8320502943378437, Correlation.Pearson(x, y), 12);
        Assert.Equal([1.0, 2.0, 3.5, 5.0, 3.5], Correlation.Ranks(y));
    }

    [Fact]
    public void Pearson_ConstantSeries_IsNaN()
    {
        Assert.True(double.IsNaN(Correlation.Pearson([1, 1, 1], [1, 2, 3])));
        Assert.Throws<ArgumentException>(() => Correlation.Pearson([1], [1]));
    }

    [Fact]
    public void NpyWriter_Matrix_WritesNumpyFormatOne()
    {
        using var stream = new MemoryStream();
        var writer = new NpyWriter(new NonClosing(stream), rows: 2, columns: 3);
        writer.WriteRow([1f, 2f, 3f]);
        writer.WriteRow([-1f, 0.5f, 7f]);
        writer.Complete();
        writer.Dispose();

        byte[] bytes = stream.ToArray();
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header, StringComparison.Ordinal);
        Assert.EndsWith("\n", header, StringComparison.Ordinal);
        float[] data = Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(10 + headerLength + (i * 4)))).ToArray();
        Assert.Equal([1f, 2f, 3f, -1f, 0.5f, 7f], data);
    }

    [Fact]
    public void NpyWriter_WrongRowCount_Throws()
    {
        using var writer = new NpyWriter(new MemoryStream(), rows: 2, columns: 2);
        writer.WriteRow([1f, 2f]);

        Assert.Throws<InvalidOperationException>(() => writer.WriteRow([1f]));
        Assert.Throws<InvalidOperationException>(writer.Complete);
    }

    [Fact]
    public void StsPairFile_ValidLines_ReadsPairsAndLabels()
    {
        using var file = new TempFile(".jsonl",
            """
            {"sentence_pair_id": "0", "yjcaptions_id": "1-2", "sentence1": "犬が走る。", "sentence2": "犬が駆ける。", "label": 4.4}

            {"sentence1": "猫", "sentence2": "車", "label": "0.6"}
            """);

        var pairs = StsPairFile.Read(file.Path);

        Assert.Equal([new StsPair("犬が走る。", "犬が駆ける。", 4.4), new StsPair("猫", "車", 0.6)], pairs);
    }

    [Fact]
    public void StsPairFile_MissingField_NamesLineAndField()
    {
        using var file = new TempFile(".jsonl",
            """
            {"sentence1": "a", "sentence2": "b", "label": 1}
            {"sentence1": "a", "label": 1}
            """);

        var ex = Assert.Throws<InvalidDataException>(() => StsPairFile.Read(file.Path));

        Assert.Contains(":2:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"sentence2\"", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".txt", "一つ目\n\n二つ目\n")]
    [InlineData(".jsonl", "\"一つ目\"\n{\"text\": \"二つ目\", \"id\": 7}\n")]
    [InlineData(".json", "[\"一つ目\", {\"text\": \"二つ目\"}]")]
    public void TextFiles_EachFormat_ReadsTheTexts(string extension, string content)
    {
        using var file = new TempFile(extension, content);

        Assert.Equal(["一つ目", "二つ目"], TextFiles.Read(file.Path));
        Assert.Equal(2, TextFiles.Count(file.Path));
    }

    [Theory]
    [InlineData("猫", 6, "猫    ")]
    [InlineData("abcdefgh", 6, "abcde…")]
    [InlineData("公園のベンチ", 6, "公園… ")]
    public void TextTable_Fit_PadsOrCutsByDisplayWidth(string text, int width, string expected)
    {
        Assert.Equal(expected, TextTable.Fit(text, width));
    }

    private sealed class TempFile : IDisposable
    {
        public TempFile(string extension, string content)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "glucose-cli-" + Guid.NewGuid().ToString("N") + extension);
            File.WriteAllText(Path, content);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }

    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
