using Fulcrum.Core.Model;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// A way to a pool's backends for ordinary requests (<see cref="Http1Leg"/>, <see cref="Http2Leg"/>), in the three steps
/// the forwarder decides between: <see cref="SendAsync"/> sends the request and reads the backend's response head (a
/// 502/503/504 may still be dropped for a retry: <see cref="AbandonAsync"/>); <see cref="CopyHead"/> puts it on the
/// exchange, where the response filters edit it; <see cref="CopyBodyAsync"/> copies the body and ends the attempt. Each
/// step reports a <see cref="LegResult"/>; a leg never answers the client. The state between the steps lives in the
/// exchange's <see cref="LegAttempt"/>, made once per client connection, so the steps allocate nothing of their own.
/// </summary>
internal interface IBackendLeg
{
    /// <summary>Sends the request (head and body) to <paramref name="backend"/> and reads the response head.</summary>
    ValueTask<LegResult> SendAsync(HttpExchange exchange, Backend backend, LegAttempt attempt);

    /// <summary>Puts the backend's status and end-to-end headers on the exchange's response.</summary>
    void CopyHead(LegAttempt attempt, HttpExchange exchange);

    /// <summary>Copies the response body to the client, then lets the attempt's connection or stream go.</summary>
    ValueTask<LegResult> CopyBodyAsync(LegAttempt attempt, HttpExchange exchange);

    /// <summary>Drops a response that will not be passed on (a retry goes elsewhere, or a response hook threw).</summary>
    ValueTask AbandonAsync(LegAttempt attempt);
}
