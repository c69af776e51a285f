using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Fulcrum.TestSupport.Dns;

/// <summary>
/// A tiny authoritative DNS server on 127.0.0.1 (UDP, a port the OS chose) for discovery tests, built on
/// ARSoft.Tools.Net's DnsServer: A, AAAA and SRV records the test sets and changes while it runs, and a switch that
/// makes it answer SERVFAIL, as a broken server would. Names it does not know get NXDOMAIN.
/// </summary>
public sealed class TestDnsServer : IDisposable
{
    private readonly DnsServer _server;
    private readonly ConcurrentDictionary<(string Name, RecordType Type), DnsRecordBase[]> _records = new();
    private int _queries;

    private TestDnsServer(DnsServer server, int port)
    {
        _server = server;
        Port = port;
    }

    public int Port { get; }

    /// <summary>address:port, as a pool's `discovery.resolver`.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>While true, every query gets SERVFAIL.</summary>
    public bool Failing { get; set; }

    /// <summary>Queries answered so far.</summary>
    public int Queries => Volatile.Read(ref _queries);

    public static TestDnsServer Start()
    {
        var transport = new UdpServerTransport(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new DnsServer([transport]);
        var dns = (TestDnsServer?)null;
        server.QueryReceived += (_, e) =>
        {
            dns!.Answer(e);
            return Task.CompletedTask;
        };
        server.Start();
        // The transport binds port 0 and does not say which port it got: read it from its socket (ARSoft.Tools.Net
        // 3.6.1's UdpServerTransport keeps it in `_socket`; pinned in Directory.Packages.props).
        var socket = typeof(UdpServerTransport).GetField("_socket", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(transport) as Socket
            ?? throw new InvalidOperationException("ARSoft.Tools.Net's UdpServerTransport no longer keeps its socket in _socket; update TestDnsServer");
        dns = new TestDnsServer(server, ((IPEndPoint)socket.LocalEndPoint!).Port);
        return dns;
    }

    /// <summary>The name's A and AAAA records become exactly these addresses (none: the name has no addresses).</summary>
    public void SetAddresses(string name, int ttl, params IPAddress[] addresses)
    {
        var domain = DomainName.Parse(name);
        _records[(Key(name), RecordType.A)] = [.. addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Select(a => new ARecord(domain, ttl, a))];
        _records[(Key(name), RecordType.Aaaa)] = [.. addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).Select(a => new AaaaRecord(domain, ttl, a))];
    }

    /// <summary>The name's SRV records become exactly these (RFC 2782 priority, weight, port, target).</summary>
    public void SetSrv(string name, int ttl, params (ushort Priority, ushort Weight, ushort Port, string Target)[] records)
    {
        var domain = DomainName.Parse(name);
        _records[(Key(name), RecordType.Srv)] = [.. records.Select(r => new SrvRecord(domain, ttl, r.Priority, r.Weight, r.Port, DomainName.Parse(r.Target)))];
    }

    public void Remove(string name)
    {
        foreach (var key in _records.Keys.Where(k => k.Name == Key(name)).ToList()) _records.TryRemove(key, out _);
    }

    private void Answer(QueryReceivedEventArgs e)
    {
        Interlocked.Increment(ref _queries);
        if (e.Query is not DnsMessage query || query.Questions.Count != 1) return;
        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        var question = query.Questions[0];
        var name = Key(question.Name.ToString());
        if (Failing)
        {
            response.ReturnCode = ReturnCode.ServerFailure;
        }
        else if (_records.TryGetValue((name, question.RecordType), out var records))
        {
            response.ReturnCode = ReturnCode.NoError;
            response.AnswerRecords.AddRange(records);
        }
        else
        {
            response.ReturnCode = _records.Keys.Any(k => k.Name == name) ? ReturnCode.NoError : ReturnCode.NxDomain;
        }

        e.Response = response;
    }

    private static string Key(string name) => name.TrimEnd('.').ToLowerInvariant();

    public void Dispose() => _server.Stop();
}
