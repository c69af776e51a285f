using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Waf;

/// <summary>
/// The check `fulcrum validate`, `run` and every reload add to the parser's for `waf`: the library loads and each
/// route's rule set loads (the CRS and crs-setup.conf exist and parse, with the route's paranoia and exclusions), else
/// an error at the route's `waf:` with ModSecurity's own message, which names the rule file and line. The sets loaded
/// here are the ones the routes then use (<see cref="WafRuleSets.Shared"/>), so a start loads the CRS once.
/// </summary>
public static class WafConfigCheck
{
    public static IReadOnlyList<ConfigError> Check(FulcrumConfig config)
    {
        var errors = new List<ConfigError>();
        foreach (var listener in config.Listeners)
        {
            foreach (var route in listener.Routes)
            {
                if (route.Waf is not { Mode: not WafMode.Off } waf) continue;
                if (WafRuleSets.Shared.Get(waf, out var error) is null) errors.Add(new ConfigError(waf.Location, $"waf: {error}"));
            }
        }

        return errors;
    }
}
