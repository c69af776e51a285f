namespace Fulcrum.Core.Configuration;

/// <summary>Parses a pool's `hash-key`: source-ip, source-ip-port, path, header:NAME, cookie:NAME or query:NAME.</summary>
public static class HashKeyParser
{
    public const string Hint = "source-ip, source-ip-port, path, header:NAME, cookie:NAME or query:NAME";

    public static bool TryParse(string text, out HashKeyConfig key)
    {
        key = HashKeyConfig.SourceIp;
        switch (text)
        {
            case "source-ip":
                return true;
            case "source-ip-port":
                key = new HashKeyConfig(HashKeySource.SourceIpPort);
                return true;
            case "path":
                key = new HashKeyConfig(HashKeySource.Path);
                return true;
        }

        var colon = text.IndexOf(':');
        if (colon <= 0) return false;
        var name = text[(colon + 1)..].Trim();
        if (name.Length == 0 || name.Any(char.IsWhiteSpace)) return false;
        HashKeySource? source = text[..colon] switch
        {
            "header" => HashKeySource.Header,
            "cookie" => HashKeySource.Cookie,
            "query" => HashKeySource.Query,
            _ => null,
        };
        if (source is null) return false;
        key = new HashKeyConfig(source.Value, name);
        return true;
    }
}
