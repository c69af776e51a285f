using System.Diagnostics;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Core.Protection;
using Fulcrum.L7.Answers;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// A route's way into a pool that has a circuit breaker or an adaptive concurrency limit (docs/protection.md): the
/// pool's <see cref="PoolAdmission"/> admits the request (with the route's priority) or refuses it at once with a 503
/// whose reason goes to the access log's `protection` field and the route's counters; an admitted request takes a
/// connection slot (waiting as pending when max-connections are busy), goes to the <see cref="PoolForwarder"/>, and
/// when it ends gives the limit the latency to its backend's answer. Routes to a pool without either have no gate.
/// </summary>
internal sealed class PoolGate : IBackendTarget
{
    private readonly PoolForwarder _forwarder;
    private readonly PoolAdmission _admission;
    private readonly RequestPriority _priority;
    private readonly GateCounters _counters;
    private readonly TimeSpan _queueTimeout;
    private readonly byte[][] _answers;

    public PoolGate(PoolForwarder forwarder, PoolAdmission admission, RequestPriority priority, GateCounters counters)
    {
        _forwarder = forwarder;
        _admission = admission;
        _priority = priority;
        _counters = counters;
        _queueTimeout = forwarder.Pool.Config.QueueTimeout;
        var pool = forwarder.Pool.Name;
        _answers = new byte[Enum.GetValues<AdmissionDecision>().Length][];
        foreach (var reason in AdmissionReasons.Refusals) _answers[(int)reason] = Answer(pool, reason);
    }

    public PoolForwarder Forwarder => _forwarder;

    public async Task ForwardAsync(HttpExchange exchange, FilterChain chain)
    {
        // An upgraded connection (WebSocket) may live for hours: the breaker counts it, the latency-driven limit does not.
        var limited = !exchange.IsUpgradeOrConnect;
        var decision = _admission.TryAdmit(_priority, limited, out var ticket);
        if (decision != AdmissionDecision.Admitted)
        {
            await RefuseAsync(exchange, chain, decision);
            return;
        }

        var slot = false;
        TimeSpan? latency = null;
        try
        {
            var started = Stopwatch.GetTimestamp();
            var waited = _admission.TakeSlotAsync(_queueTimeout, exchange.Aborted);
            decision = waited.IsCompletedSuccessfully ? waited.Result : await waited;
            if (decision != AdmissionDecision.Admitted)
            {
                if (decision != AdmissionDecision.Abandoned) await RefuseAsync(exchange, chain, decision);
                return;
            }

            slot = true;
            _counters.BreakerAllowed?.Increment();
            if (ticket.Limited) _counters.ShedAllowed?.Increment();
            await _forwarder.ForwardAsync(exchange, chain, _counters);
            if (limited) latency = LatencyOf(exchange.Record, started);
        }
        finally
        {
            _admission.Complete(ticket, slot, latency);
        }
    }

    // Time to the backend's answer head (what the backend costs, not how fast the client reads), or to a timeout; no
    // sample when no backend was reached or the client left, which say nothing about the backends' load.
    private static TimeSpan? LatencyOf(Observability.RequestRecord record, long started)
    {
        if (record.FirstByte != 0) return Stopwatch.GetElapsedTime(started, record.FirstByte);
        return record.Outcome == "timeout" ? Stopwatch.GetElapsedTime(started) : null;
    }

    private Task RefuseAsync(HttpExchange exchange, FilterChain chain, AdmissionDecision reason)
    {
        var record = exchange.Record;
        record.Pool = _forwarder.Pool.Name;
        if (_counters.Refused(reason) is { } counter)
        {
            counter.Increment();
            record.Protection = counter.LogText;
        }
        else
        {
            record.Protection = AdmissionReasons.Protection(reason) + ":" + AdmissionReasons.Name(reason);
        }

        PlainTextAnswer.Set(exchange, 503, _answers[(int)reason]);
        return chain.WriteAnswerAsync(exchange, chain.Count);
    }

    private static byte[] Answer(string pool, AdmissionDecision reason) => Encoding.UTF8.GetBytes(reason switch
    {
        AdmissionDecision.ConcurrencyLimit => $"503 service unavailable: pool '{pool}' is at its concurrency limit; try again shortly\n",
        AdmissionDecision.LowPriority => $"503 service unavailable: pool '{pool}' is near its concurrency limit and keeps the rest for higher-priority requests\n",
        AdmissionDecision.PendingTimeout => $"503 service unavailable: no connection of pool '{pool}' came free in time (circuit breaker)\n",
        _ => $"503 service unavailable: pool '{pool}' is at its circuit breaker's {AdmissionReasons.Name(reason)}\n",
    });
}
