using System;
using System.IO;

namespace GLuCoSE.Cli.Tests.Infrastructure;

/// <summary>Where the tests find the repository's tiny model, sample data and docs.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The repository root (the folder holding GLuCoSE.sln).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The committed tiny random model (the GLuCoSE layout with hidden size 32).</summary>
    public static string TinyModel => Path.Combine(RepositoryRoot, "models", "tiny-random-luke");

    /// <summary>A file in the repository, by its path relative to the root.</summary>
    public static string InRepository(string relativePath) => Path.Combine(RepositoryRoot, relativePath);

    /// <summary>A path in the temporary folder that nothing else uses.</summary>
    public static string Temporary(string extension) =>
        Path.Combine(Path.GetTempPath(), "glucose-cli-" + Guid.NewGuid().ToString("N") + extension);

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GLuCoSE.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"GLuCoSE.sln not found above '{AppContext.BaseDirectory}'.");
    }
}
