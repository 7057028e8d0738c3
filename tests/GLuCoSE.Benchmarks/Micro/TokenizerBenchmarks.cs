using System.IO;
using System.Linq;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace GLuCoSE.Benchmarks.Micro;

/// <summary>Tokenizer speed on the reference sentences (our own sentences, from the test data).</summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private GlucoseTokenizer _tokenizer = null!;
    private string[] _sentences = null!;

    [GlobalSetup]
    public void Setup()
    {
        string root = RepositoryRoot.Find();
        string data = Path.Combine(root, "tests", "GLuCoSE.Tests", "TestData");
        _tokenizer = GlucoseTokenizer.Create(Path.Combine(data, "uni32k.model"));
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(data, "tokens.uni32k.json")));
        _sentences = document.RootElement.GetProperty("rows").EnumerateArray()
            .Where(r => r.GetProperty("category").GetString() == "own")
            .Select(r => r.GetProperty("text").GetString()!).ToArray();
    }

    [Benchmark(Description = "EncodeToIds, 80 sentences")]
    public int EncodeSentences()
    {
        int total = 0;
        foreach (string sentence in _sentences)
        {
            total += _tokenizer.EncodeToIds(sentence, 512).Length;
        }

        return total;
    }
}
