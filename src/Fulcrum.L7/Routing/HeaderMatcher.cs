using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Routing;

/// <summary>A request header (name ignoring case) passes its test; with several values, any one may pass.</summary>
internal sealed class HeaderMatcher(string name, ValueTest test) : IRequestMatcher
{
    public bool Matches(HttpContext context) => test.Test(context.Request.Headers[name]);
}
