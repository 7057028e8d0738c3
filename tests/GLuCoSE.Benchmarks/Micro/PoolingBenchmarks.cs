using System;
using BenchmarkDotNet.Attributes;
using GLuCoSE.Pooling;

namespace GLuCoSE.Benchmarks.Micro;

/// <summary>The pooling and normalization kernels at GLuCoSE's width (768).</summary>
[MemoryDiagnoser]
public class PoolingBenchmarks
{
    private float[] _states = null!;
    private float[] _destination = null!;
    private float[] _other = null!;

    [Params(24, 128)]
    public int Tokens { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _states = new float[Tokens * 768];
        for (int i = 0; i < _states.Length; i++)
        {
            _states[i] = (float)random.NextDouble() - 0.5f;
        }

        _destination = new float[768];
        _other = new float[768];
        Array.Copy(_states, _other, 768);
    }

    [Benchmark]
    public void MeanPool() => MeanPooling.Pool(_states, Tokens, _destination);

    [Benchmark]
    public void Normalize() => MeanPooling.Normalize(_destination);

    [Benchmark]
    public float Cosine() => Similarity.Cosine(_destination, _other);
}
