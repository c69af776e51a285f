using System.Diagnostics;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Observability;

/// <summary>
/// `tracing: {enabled: true}`: one Activity (an OpenTelemetry span) per proxied request from the ActivitySource
/// "Fulcrum", continuing the client's W3C `traceparent` when it sent one, and a fresh `traceparent` naming
/// this span on the request to the backend (injected by <see cref="Filters.TraceContextFilter"/>).
/// An OpenTelemetry SDK in the process sees the spans through the source; without one, Fulcrum's own
/// listener records them, so the context still reaches backends and the access log's trace_id.
/// </summary>
internal static class RequestTracing
{
    public static readonly ActivitySource Source = new("Fulcrum");
    private static ActivityListener? _listener;

    /// <summary>Makes sure spans are recorded even with no OpenTelemetry SDK listening; called when a config enables tracing.</summary>
    public static void EnsureRecorded()
    {
        if (Volatile.Read(ref _listener) is not null) return;
        var listener = new ActivityListener
        {
            ShouldListenTo = static s => ReferenceEquals(s, Source),
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        if (Interlocked.CompareExchange(ref _listener, listener, null) is null) ActivitySource.AddActivityListener(listener);
        else listener.Dispose();
    }

    /// <summary>Starts the request's span, a child of the client's traceparent when it sent a valid one.</summary>
    public static Activity? Start(HttpExchange exchange, string listener)
    {
        var headers = exchange.RequestHeaders;
        ActivityContext.TryParse(headers["traceparent"].ToString(), headers["tracestate"].ToString(), isRemote: true, out var parent);
        var activity = Source.StartActivity("proxy " + exchange.Method, ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("http.request.method", exchange.Method);
            activity.SetTag("url.path", exchange.Path.Value);
            activity.SetTag("fulcrum.listener", listener);
        }

        return activity;
    }

    public static void Stop(Activity activity, HttpExchange exchange)
    {
        if (activity.IsAllDataRequested)
        {
            var status = exchange.Status;
            var record = exchange.Record;
            activity.SetTag("http.response.status_code", status);
            activity.SetTag("fulcrum.route", record.Route);
            activity.SetTag("fulcrum.pool", record.Pool);
            activity.SetTag("fulcrum.backend", record.Backend);

            if (status >= 500) activity.SetStatus(ActivityStatusCode.Error);
        }

        activity.Stop();
    }
}
