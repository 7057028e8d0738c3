using System.Collections.Generic;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>
/// Deterministic Japanese sentences written for these tests (not from any data set): every combination of a time, a
/// subject, a place and an action, in a fixed shuffled order.
/// </summary>
internal static class Sentences
{
    private static readonly string[] Times = ["", "今朝、", "昨日の夜、", "週末に", "雨の日に"];
    private static readonly string[] Subjects = ["猫が", "犬が", "先生が", "学生たちが", "子供が", "母が", "私の友人が", "その会社の社長が", "市長が", "農家の人が"];
    private static readonly string[] Places = ["公園で", "駅の前で", "図書館で", "海辺で", "台所で", "山の上で", "教室で", "病院の待合室で"];
    private static readonly string[] Actions = ["本を読んでいます。", "昼ご飯を食べています。", "写真を撮っています。", "歌を歌っています。", "ゆっくり走っています。", "電話をかけています。", "絵を描いています。", "掃除をしています。"];

    /// <summary>Gets how many distinct sentences there are.</summary>
    public static int Count => Times.Length * Subjects.Length * Places.Length * Actions.Length;

    /// <summary>The first <paramref name="count"/> sentences of the fixed order, starting at <paramref name="skip"/>.</summary>
    public static string[] Take(int count, int skip = 0)
    {
        var result = new string[count];
        for (int i = 0; i < count; i++)
        {
            // A multiplier coprime with Count walks all combinations in a scrambled but fixed order.
            int n = (int)(((long)(i + skip) * 7919) % Count);
            int action = n % Actions.Length;
            n /= Actions.Length;
            int place = n % Places.Length;
            n /= Places.Length;
            int subject = n % Subjects.Length;
            int time = n / Subjects.Length;
            result[i] = Times[time] + Subjects[subject] + Places[place] + Actions[action];
        }

        return result;
    }

    /// <summary>A long text of <paramref name="sentences"/> sentences, with line breaks between paragraphs of five.</summary>
    public static string Document(int sentences, int skip = 0)
    {
        var text = new System.Text.StringBuilder();
        string[] parts = Take(sentences, skip);
        for (int i = 0; i < parts.Length; i++)
        {
            text.Append(parts[i]);
            if (i % 5 == 4)
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>Texts of many lengths (short, medium, and one over 512 tokens), for batching tests.</summary>
    public static IReadOnlyList<string> MixedLengths() =>
    [
        "猫",
        Take(1)[0],
        Document(3),
        "",
        Take(1, 5)[0] + Take(1, 6)[0],
        Document(60),
        "テスト",
        Document(8, 10),
        Take(1, 20)[0],
        "短い。",
    ];
}
