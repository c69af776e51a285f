using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Fulcrum.Discovery;

/// <summary>
/// Asks one DNS server (the pool's `discovery.resolver`, or the nameservers of /etc/resolv.conf) for records, with
/// ARSoft.Tools.Net's client: System.Net.Dns gives neither SRV records nor TTLs. UDP first, TCP when an answer is
/// truncated (RFC 7766).
/// </summary>
internal sealed class DnsResolver : IDisposable
{
    private readonly DnsClient _client;
    private readonly TimeSpan _timeout;

    public DnsResolver(IPEndPoint? server, TimeSpan timeout)
    {
        var (addresses, port) = server is null ? (SystemNameservers(), 53) : ([server.Address], server.Port);
        Server = string.Join(", ", addresses.Select(a => new IPEndPoint(a, port).ToString()));
        _timeout = timeout;
        _client = new DnsClient(addresses, [new UdpClientTransport(port), new TcpClientTransport(port)], disposeTransport: true,
            queryTimeout: (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue));
    }

    /// <summary>The server(s) asked, for messages.</summary>
    public string Server { get; }

    /// <summary>The answer's records of <paramref name="type"/> (following CNAMEs the server resolved), or why there are none.</summary>
    public async Task<(List<DnsRecordBase> Records, string? Error)> QueryAsync(string name, RecordType type, CancellationToken cancellationToken)
    {
        if (!DomainName.TryParse(name, out var domain) || domain is null) return ([], $"'{name}' is not a DNS name");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout + _timeout); // the client's own timeout first; this one if it ever hangs past it
        DnsMessage? answer;
        try
        {
            answer = await _client.ResolveAsync(domain, type, RecordClass.INet, new DnsQueryOptions { IsRecursionDesired = true }, deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            return ([], $"no answer from {Server}: {e.Message}");
        }

        if (answer is null) return ([], $"no answer from {Server} within {_timeout.TotalSeconds:0.###}s");
        if (answer.ReturnCode == ReturnCode.NxDomain) return ([], $"{Server} says {name} does not exist (NXDOMAIN)");
        if (answer.ReturnCode != ReturnCode.NoError) return ([], $"{Server} answered {answer.ReturnCode} for {name} {type}");
        var records = new List<DnsRecordBase>();
        foreach (var record in answer.AnswerRecords)
        {
            if (record.RecordType == type) records.Add(record);
        }

        // An SRV answer may carry its targets' addresses in the additional section (RFC 2782): kept for the caller.
        if (type == RecordType.Srv)
        {
            foreach (var record in answer.AdditionalRecords)
            {
                if (record is ARecord or AaaaRecord) records.Add(record);
            }
        }

        return (records, null);
    }

    public void Dispose() => (_client as IDisposable)?.Dispose();

    /// <summary>The `nameserver` lines of /etc/resolv.conf (resolv.conf(5)); the local stub when it has none.</summary>
    private static List<IPAddress> SystemNameservers()
    {
        var servers = new List<IPAddress>();
        try
        {
            foreach (var line in File.ReadLines("/etc/resolv.conf"))
            {
                var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (parts is ["nameserver", var text, ..] && IPAddress.TryParse(text, out var address)) servers.Add(address);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        if (servers.Count == 0) servers.Add(IPAddress.Loopback);
        return servers;
    }
}
