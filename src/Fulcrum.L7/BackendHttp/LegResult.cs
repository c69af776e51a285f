using Fulcrum.Core.Model;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// What one step of an attempt on the backend leg did. After <see cref="Http1Leg.SendAsync"/>: the backend's status
/// (its head is in, nothing of it reached the client yet), or a failure with the status the balancer answers in its
/// place (502, 504, 400). After <see cref="Http1Leg.CopyBodyAsync"/>: how the answer ended. The forwarder decides
/// retries, passive health and the error answer from this alone.
/// </summary>
/// <param name="Status">The backend's status, or the balancer's answer for a failure.</param>
/// <param name="Outcome">What the attempt counts as for the backend (a client that left is never held against it).</param>
/// <param name="Sent">Request body bytes sent to the backend.</param>
/// <param name="Received">Response body bytes passed to the client.</param>
/// <param name="Retryable">True when nothing of the attempt reached the client and the client is still here: another backend may take the request.</param>
/// <param name="Failure">Why the attempt failed; null when the backend answered.</param>
/// <param name="FailedAt">Where the attempt was when it failed, for the log.</param>
internal readonly record struct LegResult(int Status, Outcome Outcome, long Sent, long Received, bool Retryable,
    Exception? Failure = null, LegPhase FailedAt = LegPhase.Connect)
{
    public bool Failed => Failure is not null;
}
