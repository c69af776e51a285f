using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Auth;

/// <summary>
/// An htpasswd file of bcrypt hashes (`htpasswd -B`, `$2y$`; `$2a$` and `$2b$` too): `user:hash` a line, blank lines and
/// `#` comments skipped. Other hash kinds (MD5 `$apr1$`, `{SHA}`, crypt) are refused with the line that has one: they are
/// fast to guess, and bcrypt is what the issue asks for.
/// </summary>
internal static partial class Htpasswd
{
    [GeneratedRegex(@"^\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}$", RegexOptions.CultureInvariant)]
    private static partial Regex Bcrypt();

    /// <summary>The users and their hashes, or null with errors at <paramref name="location"/> naming the file's line.</summary>
    public static FrozenDictionary<string, string>? Load(string path, SourceLocation location, List<ConfigError> errors)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ConfigError(location, $"htpasswd file '{path}' cannot be read: {e.Message}"));
            return null;
        }

        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var colon = line.IndexOf(':');
            var where = $"htpasswd file '{path}' line {i + 1}";
            if (colon <= 0)
            {
                ok = Fail(errors, location, $"{where}: expected user:hash");
                continue;
            }

            var user = line[..colon];
            var hash = line[(colon + 1)..];
            if (!Bcrypt().IsMatch(hash))
                ok = Fail(errors, location, $"{where}: the hash of user '{user}' is not bcrypt; make it with htpasswd -B");
            else if (!users.TryAdd(user, hash))
                ok = Fail(errors, location, $"{where}: user '{user}' is given twice");
        }

        if (ok && users.Count == 0) ok = Fail(errors, location, $"htpasswd file '{path}' has no users");
        return ok ? users.ToFrozenDictionary(StringComparer.Ordinal) : null;
    }

    private static bool Fail(List<ConfigError> errors, SourceLocation location, string message)
    {
        errors.Add(new ConfigError(location, message));
        return false;
    }
}
