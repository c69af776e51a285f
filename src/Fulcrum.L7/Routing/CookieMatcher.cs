using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Routing;

/// <summary>A request cookie (name case-sensitive, as browsers send it) passes its test.</summary>
internal sealed class CookieMatcher(string name, ValueTest test) : IRequestMatcher
{
    public bool Matches(HttpContext context) => test.Test(context.Request.Cookies[name]);
}
