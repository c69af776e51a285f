using System.Text.RegularExpressions;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Routing;

/// <summary>The regex is found somewhere in the decoded path (unanchored, like nginx `location ~`); anchor with ^ and $.</summary>
internal sealed class PathRegexMatcher(Regex regex) : IRequestMatcher
{
    public bool Matches(HttpExchange exchange) => RegexTest.IsMatch(regex, exchange.Path.Value ?? "");
}
