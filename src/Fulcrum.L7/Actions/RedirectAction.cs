using Fulcrum.Core.Configuration;
using Fulcrum.L7.Routing;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Actions;

/// <summary>
/// `redirect`: answers with a Location. An absolute `to` is used as is; a path `to` replaces path and
/// query; without `to` the path and query are kept. scheme/host/port replace the request's own; when
/// only the scheme changes the port becomes that scheme's default (http://a:8080 to https://a).
/// </summary>
internal sealed class RedirectAction : RouteAction
{
    private readonly int _status;
    private readonly string? _absolute;
    private readonly string? _path;
    private readonly string? _scheme;
    private readonly string? _host;
    private readonly int? _port;

    public RedirectAction(RedirectConfig config)
    {
        _status = config.Status;
        _scheme = config.Scheme?.ToLowerInvariant();
        _host = config.Host;
        _port = config.Port;
        if (config.To is { } to && Uri.TryCreate(to, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            _absolute = to;
        }
        else
        {
            _path = config.To;
        }
    }

    public override Task ExecuteAsync(HttpContext context, CompiledRoute route)
    {
        var response = context.Response;
        response.StatusCode = _status;
        response.Headers.Location = _absolute ?? Location(context.Request);
        route.Transformer.EditResponse(response);
        return Task.CompletedTask;
    }

    private string Location(HttpRequest request)
    {
        var scheme = _scheme ?? request.Scheme;
        var host = _host ?? request.Host.Host;
        int? port = _port ?? (_scheme is not null && _scheme != request.Scheme ? null : request.Host.Port);
        if (port is 80 && scheme == "http" || port is 443 && scheme == "https") port = null;
        var authority = port is { } p ? new HostString(host, p) : new HostString(host);
        var target = _path ?? string.Concat(request.PathBase.ToUriComponent(), request.Path.ToUriComponent(), request.QueryString.ToUriComponent());
        if (!target.StartsWith('/')) target = "/" + target;
        return string.Concat(scheme, "://", authority.ToUriComponent(), target);
    }
}
