using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Routing;

/// <summary>A query-string parameter (decoded) passes its test; with repeated parameters, any one may pass.</summary>
internal sealed class QueryMatcher(string name, ValueTest test) : IRequestMatcher
{
    public bool Matches(HttpContext context) => test.Test(context.Request.Query[name]);
}
