using System;
using System.IO;
using System.Linq;
using GLuCoSE.Optimization;
using GLuCoSE.Optimization.Onnx;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using static GLuCoSE.Tests.Infrastructure.OnnxGraphs;

namespace GLuCoSE.Tests.Optimization;

/// <summary>Writing a graph and its data file: what another writer's files are left alone.</summary>
public sealed class OnnxModelWriterTests
{
    [Fact]
    public void Writer_AnotherWritersPartialFile_IsNotDeleted()
    {
        // Two processes converting the same folder (EnsureInUserFolder takes no lock): the one that cannot open the
        // .partial file must not delete the other's.
        using var folder = new TempModelFolder(copyModel: false);
        float[] w = new float[1024];
        ModelProto model = Graph(
            [ValueInfo("x", FloatType, 2, 32)],
            [Node("MatMul", ["x", "w"], ["y"])],
            [ValueInfo("y", FloatType, 2, 32)],
            [FloatTensor("w", [32, 32], w)]);
        string source = Save(folder, "source.onnx", model);
        string target = folder.File("model_int8.onnx");
        OnnxModelFile file = OnnxModelFile.Load(source);

        using (var other = new FileStream(target + ".data.partial", FileMode.Create, FileAccess.Write, FileShare.None))
        {
            other.Write(new byte[100]);
            other.Flush();
            Assert.ThrowsAny<IOException>(() => OnnxModelWriter.Write(file.Model, file, target, _ => { }, TestContext.Current.CancellationToken));
            Assert.True(File.Exists(target + ".data.partial"), "the other writer's .data.partial was deleted");
            Assert.Equal(100, new FileInfo(target + ".data.partial").Length);
        }
    }
}
