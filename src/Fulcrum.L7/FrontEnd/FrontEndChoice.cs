using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.FrontEnd;

/// <summary>
/// Which front end serves a listener: its `front-end:` key, else the default, kestrel. The environment variable
/// FULCRUM_FRONT_END=fulcrum makes fulcrum the default for the listeners it can serve unchanged (http without h2c,
/// https whose ALPN offers no h2), so a whole test suite or a bench can run on it without editing configs.
/// </summary>
internal static class FrontEndChoice
{
    public const string Variable = "FULCRUM_FRONT_END";

    private static readonly HttpFrontEnd? Override = Environment.GetEnvironmentVariable(Variable)?.Trim().ToLowerInvariant() switch
    {
        "fulcrum" => HttpFrontEnd.Fulcrum,
        "kestrel" => HttpFrontEnd.Kestrel,
        _ => null,
    };

    public static HttpFrontEnd For(ListenerConfig listener)
    {
        if (listener.FrontEnd is { } chosen) return chosen;
        if (Override != HttpFrontEnd.Fulcrum) return HttpFrontEnd.Kestrel;
        return CanServe(listener) ? HttpFrontEnd.Fulcrum : HttpFrontEnd.Kestrel;
    }

    /// <summary>True when the listener asks for nothing beyond HTTP/1.1.</summary>
    public static bool CanServe(ListenerConfig listener) => listener.Protocol switch
    {
        ListenerProtocol.Http => !listener.H2c,
        ListenerProtocol.Https => listener.Tls is { } tls && !tls.Alpn.Contains("h2"),
        _ => false,
    };
}
