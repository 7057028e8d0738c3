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

/// <summary>Reading tensors from ONNX files: ranges that are out of bounds.</summary>
public sealed class OnnxModelFileTests
{
    [Fact]
    public void ReadBytes_AnOffsetNearLongMaxValue_IsInvalidData()
    {
        using var folder = new TempModelFolder(copyModel: false);
        File.WriteAllBytes(folder.File("w.data"), new byte[64]);
        var tensor = new TensorProto { Name = "w", DataType = FloatType, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.Add(16);
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "w.data" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "9223372036854775800" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "64" });
        ModelProto model = Graph([ValueInfo("x", FloatType, 16)], [Node("Add", ["x", "w"], ["y"])], [ValueInfo("y", FloatType, 16)], [tensor]);
        OnnxModelFile file = OnnxModelFile.Load(Save(folder, "source.onnx", model));

        Assert.Throws<InvalidDataException>(() => file.ReadBytes(file.Model.Graph.Initializer[0]));
    }
}
