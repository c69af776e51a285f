using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.FrontEnd;

/// <summary>
/// Which front end serves a listener: its `front-end:` key, else the default, kestrel. The environment variable
/// FULCRUM_FRONT_END=fulcrum makes fulcrum the default of every http and https listener that does not say (HTTP/1.1,
/// HTTP/2 by ALPN, h2c), so a whole test suite or a bench can run on it without editing configs.
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

    /// <summary>True for the listeners Fulcrum's own front end serves: http (with or without h2c) and https.</summary>
    public static bool CanServe(ListenerConfig listener) => listener.Protocol is ListenerProtocol.Http or ListenerProtocol.Https;
}
