using System;
using System.IO;

namespace GLuCoSE.Benchmarks;

internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GLuCoSE.sln")))
            {
                return dir.FullName;
            }
        }

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GLuCoSE.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GLuCoSE.sln not found above the benchmark's folder or the current folder.");
    }
}
