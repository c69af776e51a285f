using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Routing;

/// <summary>One test on a named value (header, cookie, query parameter): equals, contains, regex, or present. Case-sensitive.</summary>
internal sealed class ValueTest
{
    private readonly string? _equals;
    private readonly string? _contains;
    private readonly Regex? _regex;

    public ValueTest(string? equals, string? contains, Regex? regex)
    {
        _equals = equals;
        _contains = contains;
        _regex = regex;
    }

    /// <summary>True when any one of the values passes; a missing value (no values) never passes.</summary>
    public bool Test(StringValues values)
    {
        if (values.Count == 0) return false;
        for (var i = 0; i < values.Count; i++)
        {
            if (Test(values[i])) return true;
        }

        return false;
    }

    public bool Test(string? value)
    {
        if (value is null) return false;
        if (_equals is not null) return string.Equals(value, _equals, StringComparison.Ordinal);
        if (_contains is not null) return value.Contains(_contains, StringComparison.Ordinal);
        if (_regex is not null) return RegexTest.IsMatch(_regex, value);
        return true; // present
    }
}
