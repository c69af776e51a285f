using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.FrontEnd;

/// <summary>
/// `min-body-rate` as Kestrel's MinRequestBodyDataRate measures it, for both own front ends: only the time spent waiting
/// for the client counts, and past a 5 s grace the bytes so far must keep up with the rate over that time. A request
/// body's reader asks how long its next wait may last, and reports each wait and what it brought.
/// </summary>
internal struct MinBodyRate
{
    // Kestrel's grace period, which `min-body-rate` keeps.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private int _rate;
    private long _received;
    private TimeSpan _waited;

    /// <summary>A new body; <paramref name="rate"/> in bytes per second, 0 for no limit.</summary>
    public void Begin(int rate)
    {
        _rate = rate;
        _received = 0;
        _waited = TimeSpan.Zero;
    }

    public readonly bool Limited => _rate > 0;

    /// <summary>How long the next wait may last before the body is too slow; zero or less: it is already.</summary>
    public readonly TimeSpan Allowed => TimeSpan.FromSeconds(Math.Max(Grace.TotalSeconds, (double)_received / _rate)) - _waited;

    public void Received(int count) => _received += count;

    public void Waited(TimeSpan elapsed) => _waited += elapsed;

    public static BadHttpRequestException TooSlow() =>
        new("the request body arrived slower than the listener's min-body-rate", StatusCodes.Status408RequestTimeout);
}
