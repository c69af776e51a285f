namespace Fulcrum.Core.Configuration;

/// <summary>`backend-protocol:` how an http pool speaks to its backends (docs/grpc.md).</summary>
public enum BackendProtocol
{
    /// <summary>`http/1.1` (the default): Fulcrum's own keep-alive leg, plain or with the pool's `tls:`.</summary>
    Http11,
    /// <summary>`h2c`: HTTP/2 in cleartext with prior knowledge (RFC 9113 section 3.3); the pool has no `tls:`.</summary>
    H2c,
    /// <summary>`h2`: HTTP/2 over TLS, negotiated by ALPN (RFC 7301), with the pool's `tls:` settings.</summary>
    H2,
}
