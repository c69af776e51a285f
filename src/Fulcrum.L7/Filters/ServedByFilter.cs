using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `filters: [served-by]`: names the backend that answered in a response header (`X-Served-By` unless `header:` says
/// otherwise), like HAProxy's `http-response set-header X-Server %s`: handy while testing a pool or watching a split.
/// Answers the balancer makes itself carry no such header. Small on purpose: docs/design.md shows it as the example.
/// </summary>
internal sealed class ServedByFilter(string header) : HttpFilter
{
    public const string DefaultHeader = "X-Served-By";

    public override FilterHooks Hooks => FilterHooks.ResponseHead;

    public override void OnResponseHead(HttpExchange exchange)
    {
        if (exchange.Backend is { } backend && exchange.AnswerBody.IsEmpty) exchange.ResponseHeaders[header] = backend.Id;
    }

    public sealed class Factory : IHttpFilterFactory
    {
        public string Name => "served-by";

        public FilterStage Stage => FilterStage.Backend;

        public IHttpFilter? Create(FilterConfig config, List<ConfigError> errors)
        {
            foreach (var (key, _) in config.Settings)
            {
                if (key != "header") errors.Add(new ConfigError(config.Location, $"unknown setting '{key}' of filter 'served-by'; it takes 'header'"));
            }

            var header = config.Setting("header") ?? DefaultHeader;
            if (header.Length == 0 || header.AsSpan().IndexOfAny(" \t\r\n:") >= 0)
            {
                errors.Add(new ConfigError(config.Location, $"filter 'served-by': '{header}' is not a header name"));
                return null;
            }

            return new ServedByFilter(header);
        }
    }
}
