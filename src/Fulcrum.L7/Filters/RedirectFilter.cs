using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `redirect`: answers with a Location. An absolute `to` is used as is; a path `to` replaces path and
/// query; without `to` the path and query are kept. scheme/host/port replace the request's own; when
/// only the scheme changes the port becomes that scheme's default (http://a:8080 to https://a). A `to` with variables
/// (`https://${host}/new/${1}`) is filled per request, the captures from the route's path-regex.
/// </summary>
internal sealed class RedirectFilter : HttpFilter
{
    private readonly TemplateRenderer? _template;
    private readonly bool _templateIsPath;
    private readonly int _status;
    private readonly string? _absolute;
    private readonly string? _path;
    private readonly string? _scheme;
    private readonly string? _host;
    private readonly int? _port;

    /// <param name="captures">The route's path-regex, for `${1}` and `${name}` in `to`; null without one.</param>
    public RedirectFilter(RedirectConfig config, Regex? captures = null)
    {
        if (config.ToTemplate is { HasVariables: true } template)
        {
            _template = TemplateRenderer.For(template, captures, TemplateTarget.Location);
            _templateIsPath = template.Text.StartsWith('/');
        }

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

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        exchange.SetAnswer(_status, default, null);
        exchange.ResponseHeaders.Location = _template is null ? _absolute ?? Location(exchange, _path)
            : _templateIsPath ? Location(exchange, _template.Render(exchange)) : _template.Render(exchange);
        return Answered;
    }

    private string Location(HttpExchange exchange, string? path)
    {
        var scheme = _scheme ?? exchange.Scheme;
        var host = _host ?? exchange.Host.Host;
        int? port = _port ?? (_scheme is not null && _scheme != exchange.Scheme ? null : exchange.Host.Port);
        if (port is 80 && scheme == "http" || port is 443 && scheme == "https") port = null;
        var authority = port is { } p ? new HostString(host, p) : new HostString(host);
        var target = path ?? string.Concat(exchange.Path.ToUriComponent(), exchange.Query.ToUriComponent());
        if (!target.StartsWith('/')) target = "/" + target;
        return string.Concat(scheme, "://", authority.ToUriComponent(), target);
    }
}
