using System.Globalization;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Tls;

/// <summary>The Strict-Transport-Security header value (RFC 6797 section 6.1).</summary>
public static class Hsts
{
    public const string HeaderName = "Strict-Transport-Security";

    public static string HeaderValue(HstsConfig config)
    {
        var value = "max-age=" + ((long)config.MaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        if (config.IncludeSubdomains) value += "; includeSubDomains";
        if (config.Preload) value += "; preload";
        return value;
    }
}
