namespace Fulcrum.L7.Grpc;

/// <summary>
/// The gRPC status codes Fulcrum answers with itself (grpc/grpc doc/statuscodes.md), and which one stands for each HTTP
/// status of the balancer's own answers. The gRPC doc's http-grpc-status-mapping.md maps what a client sees from a
/// non-gRPC server; where a load balancer knows more about why it refused, it says so instead: a 504 is a deadline it
/// enforced (DEADLINE_EXCEEDED, not UNAVAILABLE) and a 429 or 413 a limit the client went over (RESOURCE_EXHAUSTED,
/// which gRPC itself uses for rate limits and message sizes), so a client does not retry them as a transient outage.
/// </summary>
internal static class GrpcStatus
{
    public const int Ok = 0, Unknown = 2, DeadlineExceeded = 4, PermissionDenied = 7, ResourceExhausted = 8,
        Unimplemented = 12, Internal = 13, Unavailable = 14, Unauthenticated = 16;

    /// <summary>The grpc-status for an answer of the balancer's own with this HTTP status.</summary>
    public static int FromHttp(int status) => status switch
    {
        400 => Internal,            // the request could not be read (a body cut short): the gRPC doc's mapping
        401 => Unauthenticated,     // auth: no or a bad credential
        403 => PermissionDenied,    // auth, allow/deny lists, the WAF
        404 => Unimplemented,       // no route: the method is not served here
        408 => DeadlineExceeded,    // the client was too slow to send its request
        413 => ResourceExhausted,   // over the listener's max-body-size
        429 => ResourceExhausted,   // rate limited
        502 => Unavailable,         // the backend failed (reset, refused, closed)
        503 => Unavailable,         // no backend, circuit breaker, load shedding
        504 => DeadlineExceeded,    // request-timeout or the call's grpc-timeout
        _ => Unknown,
    };

    /// <summary>The value of grpc-status: a decimal number, without allocating for the common codes.</summary>
    public static string Text(int code) => code switch
    {
        Ok => "0",
        Unknown => "2",
        DeadlineExceeded => "4",
        PermissionDenied => "7",
        ResourceExhausted => "8",
        Unimplemented => "12",
        Internal => "13",
        Unavailable => "14",
        Unauthenticated => "16",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
