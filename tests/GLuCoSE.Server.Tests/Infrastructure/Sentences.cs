namespace GLuCoSE.Server.Tests.Infrastructure;

internal static class Sentences
{
    public static readonly string[] Japanese =
    [
        "今日は晴れです。",
        "今日は天気が良い。",
        "猫が好きです。",
        "PKSHA Technologyは機械学習/深層学習技術に関わるアルゴリズムソリューションを展開している。",
        "",
        "絵文字も 😀 そのまま。",
    ];

    /// <summary>A text of far more than 512 tokens.</summary>
    public static readonly string OverLong = string.Concat(Enumerable.Repeat("東京の天気は晴れ、気温は二十度です。", 200));
}
