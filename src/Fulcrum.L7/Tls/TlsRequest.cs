using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Tls;

/// <summary>What an https listener adds to each request: HSTS on the response, and the verified client subject (mTLS) for the backend.</summary>
internal static class TlsRequest
{
    public static void Apply(ListenerTls tls, HttpContext context)
    {
        if (tls.HstsHeader is { } hsts) context.Response.Headers[Hsts.HeaderName] = hsts;
        if (tls.ClientSubjectHeader is { } header)
        {
            // Never trust the client's own copy: only a certificate verified in the handshake may set it.
            context.Request.Headers.Remove(header);
            if (context.Connection.ClientCertificate is { } certificate) context.Request.Headers[header] = certificate.Subject;
        }
    }
}
