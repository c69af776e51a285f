using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `tls.client-certificates.subject-header` (mTLS): the subject of the certificate the handshake verified goes to the
/// backend in this header. The client's own copy is always removed: only a verified certificate may set it.
/// </summary>
internal sealed class ClientSubjectFilter(string header) : HttpFilter
{
    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        var headers = exchange.RequestHeaders;
        headers.Remove(header);
        if (exchange.ClientCertificate is { } certificate) headers[header] = certificate.Subject;
        return Continue;
    }
}
