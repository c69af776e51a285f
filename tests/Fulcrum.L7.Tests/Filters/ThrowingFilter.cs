using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;

namespace Fulcrum.L7.Tests.Filters;

/// <summary>A filter for tests, named `throwing`: its response-head hook throws, as a filter with a bug would.</summary>
internal sealed class ThrowingFilter : HttpFilter
{
    public override FilterHooks Hooks => FilterHooks.ResponseHead;

    public override void OnResponseHead(HttpExchange exchange) => throw new InvalidOperationException("a filter with a bug");

    public sealed class Factory : IHttpFilterFactory
    {
        public string Name => "throwing";

        public FilterStage Stage => FilterStage.ResponseEdits;

        public IHttpFilter? Create(FilterConfig config, List<ConfigError> errors) => new ThrowingFilter();
    }
}
