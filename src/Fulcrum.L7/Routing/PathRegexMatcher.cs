using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Routing;

/// <summary>The regex is found somewhere in the decoded path (unanchored, like nginx `location ~`); anchor with ^ and $.</summary>
internal sealed class PathRegexMatcher(Regex regex) : IRequestMatcher
{
    public bool Matches(HttpContext context) => RegexTest.IsMatch(regex, context.Request.Path.Value ?? "");
}
