using System.Text;

namespace Fulcrum.Fuzz;

/// <summary>
/// Reads an AFL++ dictionary (fuzz/dict/NAME.dict: lines `name="value"` or `"value"`, `\xNN`, `\\` and `\"`
/// escapes, `#` comments), so the in-process mutator inserts the same tokens afl-fuzz -x does.
/// </summary>
public static class AflDictionary
{
    public static IReadOnlyList<byte[]> Load(string path)
    {
        var tokens = new List<byte[]>();
        if (!File.Exists(path)) return tokens;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var open = line.IndexOf('"');
            var close = line.LastIndexOf('"');
            if (open < 0 || close <= open) throw new FormatException($"{path}: not a dictionary line: {raw}");
            tokens.Add(Unescape(line.AsSpan(open + 1, close - open - 1)));
        }

        return tokens;
    }

    private static byte[] Unescape(ReadOnlySpan<char> text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
                continue;
            }

            i++;
            if (text[i] == 'x' && i + 2 < text.Length)
            {
                bytes.Add(Convert.ToByte(text.Slice(i + 1, 2).ToString(), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)text[i]);
            }
        }

        return [.. bytes];
    }
}
