using System.Net;
using System.Security.Cryptography;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.Admin;

/// <summary>
/// Who may call the admin API (docs/security.md, "The admin surface"). /healthz, /metrics and the dashboard's static
/// files (which hold no data) stay open so keepalived, orchestrators and Prometheus need no secret. Everything else:
/// <list type="bullet">
/// <item>a change (POST, PUT, DELETE) a browser sends for another site is refused (403), token or not: CSRF;</item>
/// <item>with `admin.token`, `Authorization: Bearer TOKEN` is required (401), compared in constant time;</item>
/// <item>without one, only on a loopback bind, and only for a Host that names this machine (403): a page whose
/// name an attacker points at 127.0.0.1 (DNS rebinding) is same-origin to the browser, but its Host is not local.
/// The config refuses a non-loopback bind without a token; a reload that drops the token while the server stays
/// on such a bind gets 403 for everything until a restart.</item>
/// </list>
/// The token is read from the current topology on every request, so a reload can change it.
/// </summary>
internal sealed class AdminAuth(TopologyStore store, BindAddress bind)
{
    private const string Scheme = "Bearer ";

    public Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var path = request.Path;
        if (path.Equals("/healthz", StringComparison.Ordinal) || path.Equals("/metrics", StringComparison.Ordinal) || DashboardFiles.IsDashboardPath(path))
        {
            return next(context);
        }

        if (IsCrossSiteChange(request))
        {
            return AdminEndpoints.WriteError(context, StatusCodes.Status403Forbidden,
                "cross-site request refused: the admin API takes changes from its own dashboard and from clients that are not browsers");
        }

        var token = store.Current.Config.Admin?.Token;
        if (string.IsNullOrEmpty(token))
        {
            if (!IPAddress.IsLoopback(bind.Address))
            {
                return AdminEndpoints.WriteError(context, StatusCodes.Status403Forbidden,
                    $"the admin API listens on {bind}, which other hosts reach, and the config has no admin.token: set one and reload");
            }

            if (!NamesThisMachine(request.Host))
            {
                return AdminEndpoints.WriteError(context, StatusCodes.Status403Forbidden,
                    "without admin.token the admin API answers only requests to localhost or a loopback address");
            }

            return next(context);
        }

        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && SameSecret(header.AsSpan(Scheme.Length).Trim(), token))
        {
            return next(context);
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        var message = header.Length == 0 ? "missing bearer token" : "wrong bearer token";
        return AdminEndpoints.WriteError(context, StatusCodes.Status401Unauthorized, message);
    }

    // A browser names the site that made a request: Sec-Fetch-Site (every current browser), else Origin on a POST, PUT
    // or DELETE. A client that is not a browser sends neither and is let through; reads change nothing and a
    // cross-site page cannot read their answers (no CORS headers here). The same rule as Go's CrossOriginProtection.
    private static bool IsCrossSiteChange(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)) return false;
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is not ("same-origin" or "none");
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return false;
        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    // localhost, a name under .localhost (RFC 6761 section 6.3) or a loopback address; no Host at all (HTTP/1.0) too.
    private static bool NamesThisMachine(HostString host)
    {
        if (!host.HasValue) return true;
        var name = host.Host.Trim('[', ']');
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address);
    }

    // Both sides hashed first: FixedTimeEquals then compares 32 bytes whatever was sent, so neither how much of a
    // guess was right nor the token's length shows in the time an answer takes.
    private static bool SameSecret(ReadOnlySpan<char> given, string expected)
    {
        Span<byte> a = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> b = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(given.ToString()), a);
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
