using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>
/// Embeddings against the Python reference (PyTorch LukeModel, one sentence at a time, sentence-transformers mean
/// pooling) for each export of the tiny model and several batch sizes.
/// </summary>
public sealed class GlucoseEmbedderParityTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<string, int> ModelsAndBatchSizes()
    {
        var data = new TheoryData<string, int>();
        foreach (string model in new[] { "model.onnx", "model_opset11.onnx", "model_token_type_ids.onnx" })
        {
            foreach (int batchSize in new[] { 1, 7, 32 })
            {
                data.Add(model, batchSize);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsAndBatchSizes))]
    public void Encode_ReferenceRows_MatchWithinTolerance(string modelFile, int batchSize)
    {
        AssertRowsMatch(EmbeddingReference.TinyLuke, modelFile, batchSize, expectedRows: 136);
    }

    [Theory]
    [MemberData(nameof(ModelsAndBatchSizes))]
    public void Encode_JglueRows_MatchWithinTolerance(string modelFile, int batchSize)
    {
        string? jglue = TestPaths.JglueFixtures;
        Assert.SkipWhen(jglue is null, "../shared/fixtures/jglue is not beside this repository (set GLUCOSE_JGLUE_DIR to point at it).");

        AssertRowsMatch(EmbeddingReference.Load(Path.Combine(jglue!, "embeddings.tiny-luke.json")), modelFile, batchSize, expectedRows: null);
    }

    [Fact]
    public void EncodeTokens_FirstThreeRows_MatchReferenceStates()
    {
        EmbeddingReference reference = EmbeddingReference.TinyLuke;
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        Assert.Equal(3, reference.TokenEmbeddings.Count);

        TokenEmbeddings[] actual = embedder.EncodeTokens(reference.Rows.Take(3).Select(r => r.Text).ToArray());

        for (int row = 0; row < 3; row++)
        {
            float[][] expected = reference.TokenEmbeddings[row];
            Assert.Equal(expected.Length, actual[row].TokenIds.Length);
            Assert.Equal(reference.Rows[row].IdsMax512, actual[row].TokenIds.ToArray());
            for (int t = 0; t < expected.Length; t++)
            {
                AssertClose(expected[t], actual[row][t], $"row {row} token {t}");
            }
        }
    }

    [Fact]
    public void Dimensions_TinyModel_ComesFromOutputMetadata()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        Assert.Equal(EmbeddingReference.TinyLuke.Dimensions, embedder.Dimensions);
        Assert.Equal(32, embedder.Dimensions);
        Assert.Equal(512, embedder.MaxSequenceLength);
    }

    [Fact]
    public void Encode_SingleText_EqualsBatchedResult()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        string[] texts = EmbeddingReference.TinyLuke.Rows.Select(r => r.Text).ToArray();

        float[][] batched = embedder.Encode(texts);

        for (int i = 0; i < texts.Length; i += 17)
        {
            AssertClose(batched[i], embedder.Encode(texts[i]), texts[i]);
        }
    }

    [Fact]
    public void Encode_SameTextInDifferentBatches_GivesTheSameEmbedding()
    {
        string[] texts = EmbeddingReference.TinyLuke.Rows.Select(r => r.Text).ToArray();
        using GlucoseEmbedder single = Create("model.onnx", batchSize: 1, normalize: false, maxSequenceLength: null);
        using GlucoseEmbedder batched = Create("model.onnx", batchSize: 32, normalize: false, maxSequenceLength: null);

        float[][] alone = single.Encode(texts);
        float[][] together = batched.Encode(texts);
        float[][] shuffled = batched.Encode(texts.Reverse().ToArray());

        float max = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            max = Math.Max(max, MaxDifference(alone[i], together[i]));
            max = Math.Max(max, MaxDifference(alone[i], shuffled[texts.Length - 1 - i]));
        }

        // Padding changes only the length of reductions that add exact zeros; what remains is float rounding.
        Assert.True(max <= 1e-5f, $"an embedding moved by {max:E2} with its batch");
    }

    [Fact]
    public void Encode_EmptyList_ReturnsEmpty()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        Assert.Empty(embedder.Encode(Array.Empty<string>()));
    }

    private static void AssertRowsMatch(EmbeddingReference reference, string modelFile, int batchSize, int? expectedRows)
    {
        if (expectedRows is not null)
        {
            Assert.Equal(expectedRows.Value, reference.Rows.Count);
        }

        string[] texts = reference.Rows.Select(r => r.Text).ToArray();
        float maxDifference = 0;

        using (GlucoseEmbedder embedder = Create(modelFile, batchSize, normalize: false, maxSequenceLength: null))
        {
            float[][] actual = embedder.Encode(texts);
            for (int i = 0; i < texts.Length; i++)
            {
                maxDifference = Math.Max(maxDifference, AssertClose(reference.Rows[i].Embedding, actual[i], $"{reference.Rows[i]} embedding"));
            }
        }

        using (GlucoseEmbedder embedder = Create(modelFile, batchSize, normalize: true, maxSequenceLength: null))
        {
            float[][] actual = embedder.Encode(texts);
            for (int i = 0; i < texts.Length; i++)
            {
                maxDifference = Math.Max(maxDifference, AssertClose(reference.Rows[i].EmbeddingNormalized, actual[i], $"{reference.Rows[i]} embedding_normalized"));
            }
        }

        List<EmbeddingRow> longRows = reference.Rows.Where(r => r.EmbeddingMax128 is not null).ToList();
        Assert.NotEmpty(longRows);
        using (GlucoseEmbedder embedder = Create(modelFile, batchSize, normalize: false, maxSequenceLength: 128))
        {
            float[][] actual = embedder.Encode(longRows.Select(r => r.Text).ToArray());
            for (int i = 0; i < longRows.Count; i++)
            {
                maxDifference = Math.Max(maxDifference, AssertClose(longRows[i].EmbeddingMax128!, actual[i], $"{longRows[i]} embedding_max128"));
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{modelFile} batch {batchSize}: largest difference {maxDifference:E2}");
    }

    private static GlucoseEmbedder Create(string modelFile, int batchSize, bool normalize, int? maxSequenceLength) =>
        GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions
        {
            ModelFileName = modelFile,
            BatchSize = batchSize,
            NormalizeEmbeddings = normalize,
            MaxSequenceLength = maxSequenceLength,
        });

    private static float MaxDifference(float[] a, float[] b)
    {
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    internal static float AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float difference = Math.Abs(expected[i] - actual[i]);
            Assert.True(difference <= Tolerance, $"{what}: component {i} differs by {difference:E2} (expected {expected[i]}, actual {actual[i]}).");
            max = Math.Max(max, difference);
        }

        return max;
    }
}
