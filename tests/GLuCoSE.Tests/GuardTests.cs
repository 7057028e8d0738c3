using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using GLuCoSE.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>
/// <see cref="Guard"/>'s two messages, as every public member that takes a list or stream of texts gives them: a null
/// element names its index; an unpaired surrogate names the element's index and its position in the text.
/// </summary>
public sealed class GuardTests
{
    private const string NullThird = "texts[2] is null.";
    private const string SurrogateInSecond = "texts[1] holds an unpaired surrogate (U+D800) at index 3; it is not valid Unicode.";

    public static TheoryData<string> Members() =>
    [
        "Encode",
        "EncodeWithPrompt",
        "EncodeTokens",
        "EncodeAsync",
        "EncodeStreamAsync",
        "EncodeStreamAsyncEnumerable",
        "EncodeDocuments",
        "GenerateAsync",
    ];

    [Theory]
    [MemberData(nameof(Members))]
    public async Task Member_NullElement_ThrowsNamingIndex(string member)
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Call(embedder, member, ["a", "b", null!, "d"]));

        Assert.Equal(Expected(member, NullThird), ex.Message.Split(" (Parameter")[0]);
        Assert.Equal(member == "GenerateAsync" ? "values" : "texts", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(Members))]
    public async Task Member_UnpairedSurrogate_ThrowsNamingIndexAndPosition(string member)
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Call(embedder, member, ["猫", "abc\uD800def", "犬"]));

        Assert.Equal(Expected(member, SurrogateInSecond), ex.Message.Split(" (Parameter")[0]);
    }

    [Fact]
    public void EncodeAsync_BadElement_ThrowsBeforeAnyTaskStarts()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        Task<float[][]>? started = null;

        Exception? ex = Record.Exception(() => { started = embedder.EncodeAsync(["a", null!], cancellationToken: TestContext.Current.CancellationToken); });

        Assert.IsType<ArgumentException>(ex);
        Assert.Null(started);
    }

    [Theory]
    [InlineData(@"abc\uD800", 3)]
    [InlineData(@"\uDC00abc", 0)]
    [InlineData(@"a\uD83D\uDE00b\uDE00", 4)]
    [InlineData(@"a\uD83D\uDE00b", -1)]
    [InlineData("", -1)]
    public void IndexOfUnpairedSurrogate_Text_FindsTheFirstUnpairedOne(string escaped, int expected)
    {
        // Escaped in the data: test discovery would replace a lone surrogate in a string argument with U+FFFD.
        string text = Regex.Unescape(escaped);

        Assert.Equal(expected, Guard.IndexOfUnpairedSurrogate(text));
    }

    [Fact]
    public void Encode_SingleTextWithUnpairedSurrogate_NamesTheTextAndPosition()
    {
        using GlucoseEmbedder embedder = GlucoseEmbedder.Create(TestPaths.TinyModel);

        var ex = Assert.Throws<ArgumentException>(() => embedder.Encode("ab\uDBFF"));

        Assert.Equal("text holds an unpaired surrogate (U+DBFF) at index 2; it is not valid Unicode.", ex.Message.Split(" (Parameter")[0]);
        Assert.Equal("text", ex.ParamName);
    }

    // GenerateAsync's parameter is named values (IEmbeddingGenerator's name), so its messages say values[i].
    private static string Expected(string member, string message) =>
        member == "GenerateAsync" ? message.Replace("texts[", "values[", StringComparison.Ordinal) : message;

    private static async Task Call(GlucoseEmbedder embedder, string member, string[] texts)
    {
        switch (member)
        {
            case "Encode":
                embedder.Encode(texts);
                break;
            case "EncodeWithPrompt":
                embedder.Encode(texts, promptName: null);
                break;
            case "EncodeTokens":
                embedder.EncodeTokens(texts);
                break;
            case "EncodeAsync":
                await embedder.EncodeAsync(texts, cancellationToken: TestContext.Current.CancellationToken);
                break;
            case "EncodeStreamAsync":
                await foreach (IndexedEmbedding unused in embedder.EncodeStreamAsync(Async(texts), cancellationToken: TestContext.Current.CancellationToken))
                {
                }

                break;
            case "EncodeStreamAsyncEnumerable":
                await foreach (IndexedEmbedding unused in embedder.EncodeStreamAsync((IEnumerable<string>)texts, cancellationToken: TestContext.Current.CancellationToken))
                {
                }

                break;
            case "EncodeDocuments":
                embedder.EncodeDocuments(texts);
                break;
            case "GenerateAsync":
                await embedder.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(member));
        }
    }

    private static async IAsyncEnumerable<string> Async(IEnumerable<string> texts)
    {
        foreach (string text in texts)
        {
            await Task.Yield();
            yield return text;
        }
    }
}
