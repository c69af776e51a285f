using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.Auth;

/// <summary>
/// What authentication keeps for an http plane across reloads: the JWKS sources by file or URL and settings (a reload
/// that keeps a route's `jwks` keeps its keys and schedule, so reloading never stampedes the identity provider), and
/// one HTTP client for JWKS fetches and forward-auth subrequests. Sources no route uses any more are stopped.
/// </summary>
internal sealed class AuthServices : IDisposable
{
    private readonly BalancerServices _services;
    private readonly ILogger _logger;
    private readonly Dictionary<(string, TimeSpan, TimeSpan), JwksSource> _sources = [];

    public AuthServices(BalancerServices services)
    {
        _services = services;
        _logger = services.LoggerFactory.CreateLogger("Fulcrum.L7.Auth");
        Http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1), // a provider's or auth service's DNS changes are followed
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        { Timeout = Timeout.InfiniteTimeSpan }; // each call has its own deadline
    }

    public HttpClient Http { get; }
    public ILogger Logger => _logger;

    /// <summary>The sources in use, for tests and diagnostics.</summary>
    public IReadOnlyList<JwksSource> Sources
    {
        get
        {
            lock (_sources) return [.. _sources.Values];
        }
    }

    /// <summary>The source of a route's `jwks` (a path relative to <paramref name="baseDirectory"/>), marked used by <paramref name="generation"/>.</summary>
    public JwksSource Jwks(JwtAuthConfig jwt, string baseDirectory, long generation)
    {
        var location = jwt.JwksIsUrl ? jwt.Jwks : Path.GetFullPath(jwt.Jwks, baseDirectory);
        var key = (location, jwt.JwksRefresh, jwt.JwksTimeout);
        lock (_sources)
        {
            if (!_sources.TryGetValue(key, out var source))
            {
                source = new JwksSource(location, jwt.JwksIsUrl, jwt.JwksRefresh, jwt.JwksTimeout, Http, _services.Time, _services.Random, _logger);
                _sources[key] = source;
            }

            source.UsedByGeneration = Math.Max(source.UsedByGeneration, generation);
            return source;
        }
    }

    /// <summary>Stops the sources no route of <paramref name="generation"/> or later asked for.</summary>
    public void Retain(long generation)
    {
        lock (_sources)
        {
            foreach (var (key, source) in _sources.ToArray())
            {
                if (source.UsedByGeneration >= generation) continue;
                source.Dispose();
                _sources.Remove(key);
            }
        }
    }

    public void Dispose()
    {
        lock (_sources)
        {
            foreach (var source in _sources.Values) source.Dispose();
            _sources.Clear();
        }

        Http.Dispose();
    }
}
