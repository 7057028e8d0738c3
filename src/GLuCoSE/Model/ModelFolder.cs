using System;
using System.IO;
using System.Text.Json;

namespace GLuCoSE.Model;

/// <summary>The files of a GLuCoSE model folder (the Hugging Face repository layout plus an ONNX graph).</summary>
internal sealed class ModelFolder
{
    public const string TokenizerFileName = "sentencepiece.bpe.model";

    /// <summary>The graph's file name when none is given.</summary>
    public const string DefaultGraphFileName = "model.onnx";

    /// <summary>
    /// The documentation of model folders and the download cache, for error messages: a web address, since an app that
    /// uses the package has no clone of the repository.
    /// </summary>
    public const string DocsUrl = "https://github.com/glucose-dotnet/GLuCoSE/blob/main/docs/models.md";

    private const string Layout =
        "A GLuCoSE model folder holds model.onnx (or onnx/model.onnx) and sentencepiece.bpe.model, and usually " +
        "config.json and sentence_bert_config.json from the Hugging Face repository pkshatech/GLuCoSE-base-ja; " +
        "see " + DocsUrl + " for the ways to get one.";

    private ModelFolder(string directory, string modelPath, string tokenizerPath)
    {
        Directory = directory;
        ModelPath = modelPath;
        TokenizerPath = tokenizerPath;
    }

    public string Directory { get; }

    public string ModelPath { get; }

    public string TokenizerPath { get; }

    /// <summary>Gets <c>max_seq_length</c> from <c>sentence_bert_config.json</c>, when the folder has one.</summary>
    public int? MaxSequenceLength { get; private set; }

    /// <summary>Gets <c>max_position_embeddings - 2</c> from <c>config.json</c> (RoBERTa-style positions), when known.</summary>
    public int? MaxPositions { get; private set; }

    /// <summary>Gets <c>vocab_size</c> from <c>config.json</c>, when known.</summary>
    public int? VocabularySize { get; private set; }

    /// <summary>Finds the model files in <paramref name="directory"/>, naming what is missing.</summary>
    public static ModelFolder Open(string directory, string modelFileName)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model folder '{directory}' not found. {Layout}");
        }

        string fullDirectory = Path.GetFullPath(directory);
        string modelPath = FindGraph(fullDirectory, modelFileName) ?? throw new FileNotFoundException(
            $"'{modelFileName}' not found in model folder '{fullDirectory}' (nor in its onnx/ subfolder). {Layout}",
            Path.Combine(fullDirectory, modelFileName));

        string tokenizerPath = Path.Combine(fullDirectory, TokenizerFileName);
        if (!File.Exists(tokenizerPath))
        {
            throw new FileNotFoundException(
                $"'{TokenizerFileName}' not found in model folder '{fullDirectory}'. {Layout}",
                tokenizerPath);
        }

        var folder = new ModelFolder(fullDirectory, modelPath, tokenizerPath);
        folder.MaxSequenceLength = ReadInt(Path.Combine(fullDirectory, "sentence_bert_config.json"), "max_seq_length");
        folder.MaxPositions = ReadInt(Path.Combine(fullDirectory, "config.json"), "max_position_embeddings") - 2;
        folder.VocabularySize = ReadInt(Path.Combine(fullDirectory, "config.json"), "vocab_size");
        return folder;
    }

    /// <summary>Gets the graph's path: <paramref name="modelFileName"/> in the folder or its <c>onnx/</c> subfolder (the Hugging Face layout); null when neither exists.</summary>
    public static string? FindGraph(string directory, string modelFileName)
    {
        string modelPath = Path.Combine(directory, modelFileName);
        string huggingFaceLayout = Path.Combine(directory, "onnx", modelFileName);
        return File.Exists(modelPath) ? modelPath : File.Exists(huggingFaceLayout) ? huggingFaceLayout : null;
    }

    private static int? ReadInt(string path, string property)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out JsonElement value)
                && value.TryGetInt32(out int number) ? number : null;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
