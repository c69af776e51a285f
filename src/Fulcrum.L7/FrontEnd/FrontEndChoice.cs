using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.FrontEnd;

/// <summary>
/// Which front end serves a listener: its `front-end:` key, else the default, Fulcrum's own (HTTP/1.1, HTTP/2 by ALPN,
/// h2c) for every http and https listener. The environment variable FULCRUM_FRONT_END=kestrel makes Kestrel the default
/// of the listeners that do not say, so a whole test suite or a bench can run on it without editing configs
/// (FULCRUM_FRONT_END=fulcrum names the default). The admin API is Kestrel's whatever this says.
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
        if (Override == HttpFrontEnd.Kestrel) return HttpFrontEnd.Kestrel;
        return CanServe(listener) ? HttpFrontEnd.Fulcrum : HttpFrontEnd.Kestrel;
    }

    /// <summary>True for the listeners Fulcrum's own front end serves: http (with or without h2c) and https.</summary>
    public static bool CanServe(ListenerConfig listener) => listener.Protocol is ListenerProtocol.Http or ListenerProtocol.Https;
}
