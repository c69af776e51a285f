using Fulcrum.Core.Configuration;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Routing;

namespace Fulcrum.L7.Auth;

/// <summary>The filters of a route's `auth`, at the Authentication stage in the order basic, jwt, forward (each must pass).</summary>
internal static class AuthFilters
{
    /// <summary>Adds them to <paramref name="filters"/>; false, with errors, when one cannot be built (an htpasswd file that does not load).</summary>
    public static bool Add(List<RouteCompiler.Staged> filters, AuthConfig auth, RouteNames names, FilterServices services, List<ConfigError> errors)
    {
        var stats = services.Protection;
        if (auth.Basic is { } basic)
        {
            var path = Path.GetFullPath(basic.Htpasswd, names.ConfigDirectory);
            if (Htpasswd.Load(path, basic.HtpasswdLocation, errors) is not { } users) return false;
            filters.Add(new(FilterStage.Authentication, new BasicAuthFilter(basic, users, stats, names.Listener, names.Route)));
        }

        if (auth.Jwt is { } jwt)
        {
            var source = services.Auth.Jwks(jwt, names.ConfigDirectory, names.Generation);
            var verdicts = new JwtVerdicts(stats, names.Listener, names.Route, jwt.Realm);
            filters.Add(new(FilterStage.Authentication, new JwtFilter(jwt, source, services.Time, verdicts)));
        }

        if (auth.Forward is { } forward)
        {
            filters.Add(new(FilterStage.Authentication, new ForwardAuthFilter(forward, services.Auth.Http, services.Auth.Logger, stats, names.Listener, names.Route)));
        }

        return true;
    }

    /// <summary>What names a route's counters and resolves its files.</summary>
    internal readonly record struct RouteNames(string Listener, string Route, string ConfigDirectory, long Generation);
}
