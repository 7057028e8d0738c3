using System;
using System.Text;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>
/// Random strings for differential tests of the tokenizer: mixes of kana, kanji, half-width forms, Latin, digits,
/// emoji, whitespace, control characters and other scripts, without line breaks (spm_encode reads lines).
/// </summary>
internal static class RandomText
{
    private static readonly string[] Pools =
    [
        "あいうえおかきくけこがぎぐげごさしすせそたちつてとなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもやゆよらりるれろわをんっゃゅょぁぃぅぇぉゎゔ",
        "アイウエオカキクケコガギグゲゴサシスセソタチツテトナニヌネノハバパヒビピフブプヘベペホボポマミムメモヤユヨラリルレロワヲンッャュョァィゥェォヴヵヶー",
        "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝﾞﾟｧｨｩｪｫｬｭｮｯｰ｡｢｣､･",
        "日本語漢字学習機械深層技術東京都大阪府会社員時間研究開発自然言語処理埋込表現文章類似度検索者私彼女今日明天気雨雪花鳥風月髙﨑",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        "ＡＢＣＤＥＦＧＸＹＺａｂｃｄｅｘｙｚ０１２３４５６７８９！＂＃＄％＆＇（）＊＋，－．／：；＜＝＞？＠［＼］＾＿｀｛｜｝～",
        "0123456789",
        " \t\u3000\u00A0\u2002\u2003\u2009\u200B\u202F\u205F\r\u000B\u000C",
        ".,!?;:'\"()[]{}<>/\\@#$%^&*-_+=~`|",
        "。、！？「」『』（）【】・…〜～ー―‐－「」〈〉《》〔〕",
        "\u0000\u0001\u0002\u0007\u0008\u001B\u001C\u001F\u007F\u0080\u0085\u009F\u00AD\u200C\u200D\u200E\u200F\u2028\u2029\u2060\uFEFF\uFFFD",
        "😀😂🍣🍺👍🏻🏽👨‍👩‍👧🇯🇵🇺🇸❤️✨🎌🗾",
        "한국어문장ελληνικάрусский中文测试句子ไทยالعربيةעברית",
        "①②③⑩⑳㈱㈲㍿℡㌔㌘㍍ⅠⅡⅢⅳⅻ½¼¾²³ﬁﬂ№™㊤㊥㊦",
        "\u304B\u3099\u304D\u3099\u30CF\u309A\u3099\u309A\u0301\u0308e\u0301",
        "𠮷𩸽𡈽𠀋𪚲",
        "<s></s><unk><pad><mask><ent><ent2>＜ｓ＞",
        "▁▁__",
    ];

    /// <summary>Returns one random string of 1 to <paramref name="maxParts"/> draws from the pools.</summary>
    public static string Next(Random random, int maxParts = 40)
    {
        var builder = new StringBuilder();
        int parts = random.Next(1, maxParts + 1);
        for (int i = 0; i < parts; i++)
        {
            string pool = Pools[random.Next(Pools.Length)];
            int run = random.Next(4) == 0 ? random.Next(2, 6) : 1;
            for (int r = 0; r < run; r++)
            {
                int k = random.Next(pool.Length);
                if (char.IsLowSurrogate(pool[k]))
                {
                    k--;
                }

                builder.Append(pool, k, char.IsHighSurrogate(pool[k]) ? 2 : 1);
            }
        }

        return builder.ToString();
    }
}
