using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using GLuCoSE;

// glucose: a command-line front end for the GLuCoSE library.
Console.OutputEncoding = Encoding.UTF8;
return Cli.Run(args);

internal static class Cli
{
    private const string Usage = """
        usage: glucose <command> [options]

        commands:
          similarity --model DIR TEXT TEXT...   print the cosine similarity matrix of the texts

        options:
          --model DIR        a GLuCoSE model folder (model.onnx + sentencepiece.bpe.model; see models/README.md)
          --onnx FILE        the ONNX file in the folder to use (default model.onnx)
          --cuda             run on the GPU (needs the Microsoft.ML.OnnxRuntime.Gpu.Linux package)
          -h, --help         show this help
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            return args[0] switch
            {
                "similarity" => Similarity(args[1..]),
                _ => Fail($"unknown command '{args[0]}'"),
            };
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or InvalidOperationException or ArgumentException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"glucose: {ex.Message}");
            return 1;
        }
    }

    private static int Similarity(string[] args)
    {
        string? model = null;
        var options = new GlucoseEmbedderOptions();
        var texts = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                case "--model" when i + 1 < args.Length:
                    model = args[++i];
                    break;
                case "--onnx" when i + 1 < args.Length:
                    options.ModelFileName = args[++i];
                    break;
                case "--cuda":
                    options.ExecutionProvider = GlucoseExecutionProvider.Cuda;
                    break;
                case "--model" or "--onnx":
                    return Fail($"{args[i]} needs a value");
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        return Fail($"unknown option '{args[i]}'");
                    }

                    texts.Add(args[i]);
                    break;
            }
        }

        if (model is null)
        {
            return Fail("similarity needs --model DIR");
        }

        if (texts.Count < 2)
        {
            return Fail("similarity needs at least two texts");
        }

        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(model, options);
        float[][] embeddings = embedder.Encode(texts);

        for (int i = 0; i < texts.Count; i++)
        {
            Console.WriteLine($"[{i + 1}] {texts[i]}");
        }

        Console.WriteLine();
        var header = new StringBuilder("     ");
        for (int j = 0; j < texts.Count; j++)
        {
            header.Append(CultureInfo.InvariantCulture, $"{$"[{j + 1}]",8}");
        }

        Console.WriteLine(header);
        for (int i = 0; i < texts.Count; i++)
        {
            var line = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{$"[{i + 1}]",-5}");
            for (int j = 0; j < texts.Count; j++)
            {
                line.Append(CultureInfo.InvariantCulture, $"{GLuCoSE.Similarity.Cosine(embeddings[i], embeddings[j]),8:F4}");
            }

            Console.WriteLine(line);
        }

        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"glucose: {message}");
        Console.Error.WriteLine("Run 'glucose --help' for usage.");
        return 2;
    }
}
