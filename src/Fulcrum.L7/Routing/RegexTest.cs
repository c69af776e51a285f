using System.Text.RegularExpressions;

namespace Fulcrum.L7.Routing;

/// <summary>Compiles route regexes once and runs them with a timeout so a hostile input cannot pin a core.</summary>
internal static class RegexTest
{
    /// <summary>Generous for a route test; catastrophic backtracking is cut off here and counts as no match.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public static bool TryCompile(string pattern, out Regex? regex, out string? error)
    {
        try
        {
            regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, MatchTimeout);
            error = null;
            return true;
        }
        catch (ArgumentException e)
        {
            regex = null;
            error = $"invalid regex '{pattern}': {e.Message}";
            return false;
        }
    }

    public static bool IsMatch(Regex regex, ReadOnlySpan<char> input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
