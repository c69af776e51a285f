namespace Fulcrum.Lab;

/// <summary>One simulated user of the sessions scenario: a browser's cookie jar, reduced to name=value pairs.</summary>
internal sealed class SessionUser(string name)
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    /// <summary>The Cookie header a browser would send, or null before any cookie was set.</summary>
    public string? CookieHeader => _cookies.Count == 0 ? null : string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}"));

    /// <summary>Keeps the name=value of each Set-Cookie (attributes are not needed here: one host, one path).</summary>
    public void Remember(IEnumerable<string> setCookies)
    {
        foreach (var header in setCookies)
        {
            var pair = header.Split(';', 2)[0];
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0) _cookies[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }
    }
}
