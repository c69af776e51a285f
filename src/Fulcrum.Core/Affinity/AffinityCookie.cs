using System.Globalization;
using System.Text;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Affinity;

/// <summary>Builds the Set-Cookie value for one backend once per topology generation (RFC 6265 section 4.1).</summary>
public static class AffinityCookie
{
    public static string SetCookieValue(AffinityConfig config, string token, bool secure)
    {
        var sb = new StringBuilder(96);
        sb.Append(config.Cookie).Append('=').Append(token);
        sb.Append("; Path=").Append(config.Path);
        if (config.Domain is { Length: > 0 } domain) sb.Append("; Domain=").Append(domain);
        if (config.Ttl is { } ttl) sb.Append("; Max-Age=").Append(((long)ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        if (config.HttpOnly) sb.Append("; HttpOnly");
        // Browsers drop SameSite=None cookies that are not Secure, so None forces Secure.
        if (secure || config.SameSite == SameSiteMode.None) sb.Append("; Secure");
        sb.Append("; SameSite=").Append(config.SameSite switch
        {
            SameSiteMode.Strict => "Strict",
            SameSiteMode.None => "None",
            _ => "Lax",
        });
        return sb.ToString();
    }
}
