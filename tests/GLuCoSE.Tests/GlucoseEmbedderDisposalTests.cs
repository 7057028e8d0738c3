using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using GLuCoSE.Tests.Infrastructure;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>After Dispose every member throws; Dispose during encoding neither crashes nor corrupts.</summary>
public sealed class GlucoseEmbedderDisposalTests
{
    private static readonly string[] Texts = TokenReference.Load(TestPaths.TestData("tokens.uni32k.json")).Select(r => r.Text).ToArray();

    public static TheoryData<string> PublicMembers()
    {
        var data = new TheoryData<string>();
        foreach (MemberInfo member in Members())
        {
            data.Add(Describe(member));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PublicMembers))]
    public async Task Member_AfterDispose_ThrowsObjectDisposed(string member)
    {
        GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);
        embedder.Dispose();
        MemberInfo target = Members().Single(m => Describe(m) == member);

        Exception? thrown = await CaptureAsync(embedder, target);

        Assert.IsType<ObjectDisposedException>(thrown);
    }

    [Fact]
    public void PublicMembers_AfterDispose_AreAllCoveredByTheTheory()
    {
        // A new public member lands in the theory above automatically; this guards the reflection itself.
        Assert.Contains(Members(), m => m.Name == nameof(GlucoseEmbedder.Encode));
        Assert.Contains(Members(), m => m.Name == nameof(GlucoseEmbedder.GenerateAsync));
        Assert.Contains(Members(), m => m.Name == nameof(GlucoseEmbedder.EncodeStreamAsync));
        Assert.True(Members().Count() >= 15, $"only {Members().Count()} public members found");
    }

    [Fact]
    public void Dispose_Twice_IsHarmless()
    {
        GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        embedder.Dispose();
        embedder.Dispose();

        Assert.Throws<ObjectDisposedException>(() => embedder.Encode("テスト"));
    }

    [Fact]
    public void Dispose_WhileOtherThreadsEncode_TheyFinishOrThrowObjectDisposed()
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel, new GlucoseEmbedderOptions { BatchSize = 4 });
            var unexpected = new List<Exception>();
            int completed = 0;
            int stoppedByDispose = 0;
            Thread[] workers = Enumerable.Range(0, 4).Select(k => new Thread(() =>
            {
                try
                {
                    while (true)
                    {
                        if (k % 2 == 0)
                        {
                            Assert.Equal(Texts.Length, embedder.Encode(Texts).Length);
                        }
                        else
                        {
                            Assert.Equal(32, embedder.Encode(Texts[k]).Length);
                        }

                        Interlocked.Increment(ref completed);
                    }
                }
                catch (ObjectDisposedException)
                {
                    // The documented outcome for calls that reach the model after Dispose.
                    Interlocked.Increment(ref stoppedByDispose);
                }
                catch (Exception ex)
                {
                    lock (unexpected)
                    {
                        unexpected.Add(ex);
                    }
                }
            })).ToArray();
            foreach (Thread worker in workers)
            {
                worker.Start();
            }

            // Dispose lands mid-work, a little later each attempt: after some calls completed, never before the first.
            int before = 4 + (attempt * 4);
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref completed) >= before, TimeSpan.FromSeconds(30)), $"only {completed} calls completed before Dispose");
            embedder.Dispose();
            foreach (Thread worker in workers)
            {
                Assert.True(worker.Join(TimeSpan.FromSeconds(30)), "a worker did not stop after Dispose");
            }

            Assert.Empty(unexpected);
            Assert.True(completed >= before, $"{completed} calls completed, expected at least {before}");
            Assert.Equal(workers.Length, stoppedByDispose);
        }
    }

    private static IEnumerable<MemberInfo> Members() =>
        typeof(GlucoseEmbedder).GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is PropertyInfo || (m is MethodInfo method && !method.IsSpecialName))
            .Where(m => m.DeclaringType == typeof(GlucoseEmbedder))
            .Where(m => m.Name is not nameof(IDisposable.Dispose));

    private static string Describe(MemberInfo member) => member switch
    {
        MethodInfo method => $"{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})",
        _ => member.Name,
    };

    private static async Task<Exception?> CaptureAsync(GlucoseEmbedder embedder, MemberInfo member)
    {
        try
        {
            object? result = member is PropertyInfo property
                ? property.GetValue(embedder)
                : ((MethodInfo)member).Invoke(embedder, ((MethodInfo)member).GetParameters().Select(Argument).ToArray());
            switch (result)
            {
                case Task task:
                    await task;
                    break;
                case IAsyncEnumerable<IndexedEmbedding> stream:
                    await foreach (IndexedEmbedding unused in stream)
                    {
                    }

                    break;
            }

            return null;
        }
        catch (TargetInvocationException ex)
        {
            return ex.InnerException;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static object? Argument(ParameterInfo parameter)
    {
        Type type = parameter.ParameterType;
        if (type == typeof(string))
        {
            return parameter.Name == "promptName" ? null : "テスト";
        }

        if (type.IsAssignableFrom(typeof(string[])))
        {
            return new[] { "テスト" };
        }

        if (type == typeof(IAsyncEnumerable<string>))
        {
            return OneText();
        }

        if (type == typeof(Type))
        {
            return typeof(object);
        }

        if (type == typeof(CancellationToken))
        {
            return CancellationToken.None;
        }

        return type.IsValueType ? Activator.CreateInstance(type) : null;
    }

    private static async IAsyncEnumerable<string> OneText()
    {
        await Task.Yield();
        yield return "テスト";
    }
}
