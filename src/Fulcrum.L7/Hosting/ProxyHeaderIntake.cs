using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Proxy;
using Fulcrum.L7.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// An http or https listener's `accept-proxy`: the connection's first bytes must be a PROXY v1 or v2 header (haproxy
/// doc/proxy-protocol.txt), read by the same <see cref="ProxyHeaderReader"/> as tcp listeners, before Kestrel parses
/// HTTP and, on https, before the TLS ClientHello. The header's source becomes the connection's remote end point, so
/// the exchange's peer (and without `trusted-proxies`, its client) is the address the tier in front saw; a header
/// saying LOCAL or UNKNOWN keeps the socket's own peer (section 2.1, 2.2). A connection without a valid header, or
/// whose header is not complete within the listener's `inspect-timeout`, is closed without an answer, as HAProxy's
/// `accept-proxy` does: an HTTP answer would be guessing at a protocol the peer may not speak.
/// </summary>
internal sealed class ProxyHeaderIntake(Func<ListenerConfig> listener, TimeProvider time, ILogger logger)
{
    // Without accept-proxy a connection pays one flag test, no state machine.
    public Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next) =>
        listener() is { AcceptProxy: true } config ? ReadThenServeAsync(connection, next, config) : next(connection);

    private async Task ReadThenServeAsync(ConnectionContext connection, ConnectionDelegate next, ListenerConfig config)
    {
        var (header, refusal) = await ReadAsync(connection, config.InspectTimeout);
        if (refusal is not null)
        {
            Log.ProxyHeaderRefused(logger, config.Name, connection.RemoteEndPoint?.ToString() ?? "?", refusal);
            return; // Kestrel closes the connection when its middleware returns
        }

        if (header.Source is { } source)
        {
            connection.RemoteEndPoint = Unmapped(source);
            if (header.Destination is { } destination) connection.LocalEndPoint = Unmapped(destination);
        }

        await next(connection);
    }

    private async Task<(ProxyHeader Header, string? Refusal)> ReadAsync(ConnectionContext connection, TimeSpan timeout)
    {
        var input = connection.Transport.Input;
        var scratch = ArrayPool<byte>.Shared.Rent(ProxyHeaderReader.MaxLength);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, connection.ConnectionClosed);
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(linked.Token);
                }
                catch (OperationCanceledException)
                {
                    return (default, deadline.IsCancellationRequested ? "no complete PROXY header within the inspect-timeout" : "closed before its PROXY header");
                }

                var buffer = result.Buffer;
                var length = (int)Math.Min(buffer.Length, ProxyHeaderReader.MaxLength);
                buffer.Slice(0, length).CopyTo(scratch);
                var status = ProxyHeaderReader.TryParse(scratch.AsSpan(0, length), out var header);
                if (status == ProxyParseStatus.Done)
                {
                    input.AdvanceTo(buffer.GetPosition(header.Length));
                    return (header, null);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (status == ProxyParseStatus.Invalid) return (default, "not a PROXY v1 or v2 header");
                if (result.IsCompleted || result.IsCanceled) return (default, "closed before its PROXY header");
                if (length >= ProxyHeaderReader.MaxLength) return (default, "PROXY header too long");
            }
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException)
        {
            return (default, "closed before its PROXY header");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    // The data plane compares and logs IPv4 clients as IPv4 whatever the socket family (HttpExchange.Reset unmaps too).
    private static IPEndPoint Unmapped(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
