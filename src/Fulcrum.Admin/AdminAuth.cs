using System.Security.Cryptography;
using System.Text;
using Fulcrum.Admin.Json;
using Fulcrum.Core.Model;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.Admin;

/// <summary>
/// The optional bearer token (`admin.token`). /healthz, /metrics and the dashboard's static files (which hold no data) stay open so keepalived, orchestrators and
/// Prometheus need no secret; everything else answers 401 with a JSON error without the right token.
/// </summary>
internal static class AdminAuth
{
    public static Task CheckAsync(HttpContext context, TopologyStore store, RequestDelegate next)
    {
        var token = store.Current.Config.Admin?.Token;
        var path = context.Request.Path;
        if (string.IsNullOrEmpty(token) || path.Equals("/healthz", StringComparison.Ordinal) || path.Equals("/metrics", StringComparison.Ordinal)
            || DashboardFiles.IsDashboardPath(path))
        {
            return next(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && SameSecret(header.AsSpan(Scheme.Length).Trim(), token))
        {
            return next(context);
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        var message = header.Length == 0 ? "missing bearer token" : "wrong bearer token";
        return AdminEndpoints.WriteError(context, StatusCodes.Status401Unauthorized, message);
    }

    // Constant time in the token's length, so the comparison does not leak how much of a guess was right.
    private static bool SameSecret(ReadOnlySpan<char> given, string expected)
    {
        var a = Encoding.UTF8.GetBytes(given.ToString());
        var b = Encoding.UTF8.GetBytes(expected);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(a), SHA256.HashData(b));
    }
}
