using System;
using System.IO;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>Where the tests find the repository's models, their own reference data and the shared fixtures.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The repository root (the folder holding GLuCoSE.sln).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The committed tiny random model (the GLuCoSE layout with hidden size 32).</summary>
    public static string TinyModel => Path.Combine(RepositoryRoot, "models", "tiny-random-luke");

    /// <summary>Gets the tiny model's opset-17 graph, <c>model.onnx</c>.</summary>
    public static string TinyGraph => Path.Combine(TinyModel, "model.onnx");

    /// <summary>The tiny model's two export shapes: opset 17 with external-style layout, and opset 11 with its weights inside.</summary>
    public static Xunit.TheoryData<string> TinyExports() => new() { "model.onnx", "model_opset11.onnx" };

    /// <summary>Reference data copied into this project (made by the Python reference stack).</summary>
    public static string TestData(string fileName) => Path.Combine(AppContext.BaseDirectory, "TestData", fileName);

    /// <summary>
    /// The shared JGLUE-derived fixtures, read in place and never copied: <c>GLUCOSE_JGLUE_DIR</c> when set, else
    /// <c>../shared/fixtures/jglue</c> beside the repository; null when neither exists.
    /// </summary>
    public static string? JglueFixtures
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("GLUCOSE_JGLUE_DIR");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return Directory.Exists(fromEnvironment) ? fromEnvironment : null;
            }

            string beside = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures", "jglue"));
            return Directory.Exists(beside) ? beside : null;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GLuCoSE.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"GLuCoSE.sln not found above '{AppContext.BaseDirectory}'.");
    }
}
