using System;
using System.IO;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>A throwaway copy of the tiny model folder that a test may break; deleted on dispose.</summary>
internal sealed class TempModelFolder : IDisposable
{
    public TempModelFolder(bool copyModel = true)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "glucose-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        if (copyModel)
        {
            foreach (string file in Directory.GetFiles(TestPaths.TinyModel))
            {
                string name = System.IO.Path.GetFileName(file);
                if (name.StartsWith("model", StringComparison.Ordinal) && name != "model.onnx")
                {
                    continue;
                }

                System.IO.File.Copy(file, File(name));
            }
        }
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a test over.
        }
    }
}
