using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Transforms;

/// <summary>
/// The `security-headers` preset: conservative defaults from the OWASP Secure Headers Project. Each is
/// added only when the backend did not send its own, so a backend's stricter or looser policy wins.
/// No HSTS: it is only meaningful on https and hard to take back, so it is left to the operator.
/// </summary>
internal static class SecurityHeaders
{
    public static readonly KeyValuePair<string, string>[] Preset =
    [
        new("X-Content-Type-Options", "nosniff"),
        new("X-Frame-Options", "DENY"),
        new("Referrer-Policy", "strict-origin-when-cross-origin"),
        new("Content-Security-Policy", "frame-ancestors 'none'"),
    ];

    public static void AddMissing(IHeaderDictionary headers)
    {
        foreach (var (name, value) in Preset)
        {
            if (!headers.ContainsKey(name)) headers[name] = value;
        }
    }
}
