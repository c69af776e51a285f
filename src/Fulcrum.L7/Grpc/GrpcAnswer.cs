using System.Text;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Grpc;

/// <summary>
/// How the balancer tells a gRPC client about an error of its own. A gRPC client reads the outcome of a call from
/// grpc-status and grpc-message, not from the HTTP status (grpc/grpc doc/PROTOCOL-HTTP2.md): before the answer started,
/// a "Trailers-Only" response (HTTP 200, content-type application/grpc and the two fields in the headers, no body);
/// after, the two as trailers ending a response whose messages already went out.
/// </summary>
internal static class GrpcAnswer
{
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    private const string ContentType = "application/grpc";

    /// <summary>
    /// True for a gRPC call: content-type application/grpc, alone or with a suffix (+proto, +json) or parameters.
    /// gRPC-Web (application/grpc-web) is a different framing, with trailers in the body, and is not one.
    /// </summary>
    public static bool IsGrpc(HttpExchange exchange)
    {
        var type = exchange.RequestHeaders.ContentType;
        if (type.Count != 1) return false;
        var value = type[0].AsSpan();
        if (!value.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)) return false;
        return value.Length == ContentType.Length || value[ContentType.Length] is '+' or ';';
    }

    /// <summary>
    /// Turns the balancer's answer on the exchange (an HTTP error status and a plain-text line) into a Trailers-Only
    /// response: HTTP 200, grpc-status for the status (<see cref="GrpcStatus.FromHttp"/>) and the line as grpc-message.
    /// The response hooks already ran, so their headers (X-Request-ID, Retry-After) stay.
    /// </summary>
    public static void TrailersOnly(HttpExchange exchange)
    {
        var code = GrpcStatus.FromHttp(exchange.Status);
        var message = Message(exchange.AnswerBody.Span);
        var headers = exchange.ResponseHeaders;
        exchange.Status = 200;
        exchange.ResponseContentLength = null;
        headers.ContentType = ContentType;
        headers[StatusHeader] = GrpcStatus.Text(code);
        if (message.Length > 0) headers[MessageHeader] = message;
    }

    /// <summary>Ends a response that already started with <paramref name="code"/> in its trailers, when the front end can send trailers.</summary>
    public static bool TryEndWith(HttpExchange exchange, int code, string message)
    {
        if (!exchange.CanSendTrailers) return false;
        exchange.AppendTrailer(StatusHeader, GrpcStatus.Text(code));
        exchange.AppendTrailer(MessageHeader, PercentEncode(message));
        return true;
    }

    // The answer's text line without its status prefix and newline ("503 service unavailable: no backend ..."), encoded.
    private static string Message(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body).TrimEnd('\n', '\r', ' ');
        return PercentEncode(text);
    }

    /// <summary>
    /// grpc-message is percent-encoded UTF-8: bytes outside printable ASCII (0x20-0x7E) and '%' itself are written as
    /// %XX (PROTOCOL-HTTP2.md), so any text survives an HTTP/2 header.
    /// </summary>
    public static string PercentEncode(string text)
    {
        var clean = true;
        foreach (var ch in text)
        {
            if (ch is < ' ' or > '~' or '%')
            {
                clean = false;
                break;
            }
        }

        if (clean) return text;
        var builder = new StringBuilder(text.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%') builder.Append((char)b);
            else builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
