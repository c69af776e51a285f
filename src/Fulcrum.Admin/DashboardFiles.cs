using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.Admin;

/// <summary>
/// The dashboard: three static files (HTML, CSS, vanilla JS) embedded in this assembly, so there is nothing
/// to build or install. They hold no data: the page reads /api/stats and /api/pools with the operator's token.
/// </summary>
internal static class DashboardFiles
{
    private static readonly FrozenDictionary<string, (byte[] Body, string Type)> Files = Load();

    public static bool IsDashboardPath(PathString path) =>
        path.Equals("/", StringComparison.Ordinal) || path.Equals("/dashboard", StringComparison.Ordinal)
        || (path.StartsWithSegments("/dashboard", StringComparison.Ordinal, out var rest) && Files.ContainsKey(rest.Value!.TrimStart('/')));

    public static Task ServeAsync(HttpContext context)
    {
        var name = context.Request.RouteValues["file"] as string ?? "index.html";
        if (!Files.TryGetValue(name, out var file))
        {
            return AdminEndpoints.WriteError(context, StatusCodes.Status404NotFound, $"no dashboard file '{name}'");
        }

        context.Response.ContentType = file.Type;
        context.Response.Headers.CacheControl = "no-cache";
        // frame-ancestors: no other site may frame the dashboard and trick a click onto its drain buttons.
        context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
        context.Response.Headers.XFrameOptions = "DENY";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        return context.Response.Body.WriteAsync(file.Body).AsTask();
    }

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        var assembly = typeof(DashboardFiles).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            const string Prefix = "Fulcrum.Dashboard.";
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[Prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "text/javascript; charset=utf-8",
            };
            files[name] = (copy.ToArray(), type);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
