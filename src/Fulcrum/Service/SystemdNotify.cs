using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Service;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram of `KEY=VALUE` lines to the unix socket systemd names in
/// $NOTIFY_SOCKET (a path, or `@name` for the abstract namespace). The protocol is that small and stable
/// (systemd's "notify" documentation calls it so), so a dependency on Microsoft.Extensions.Hosting.Systemd, which
/// brings the generic host with it, would buy nothing.
/// </summary>
public sealed class SystemdNotify : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;

    private SystemdNotify(string address)
    {
        Address = address;
        _endpoint = new UnixDomainSocketEndPoint(address.StartsWith('@') ? "\0" + address[1..] : address);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>$NOTIFY_SOCKET as systemd set it.</summary>
    public string Address { get; }

    /// <summary>How often systemd wants a WATCHDOG=1 (WatchdogSec=), or null; only for this process (WATCHDOG_PID).</summary>
    public TimeSpan? WatchdogInterval { get; private init; }

    /// <summary>Null when the process does not run under systemd's notify protocol (no $NOTIFY_SOCKET).</summary>
    public static SystemdNotify? FromEnvironment()
    {
        var address = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(address) || !(address.StartsWith('/') || address.StartsWith('@'))) return null;
        TimeSpan? watchdog = null;
        if (long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out var usec) && usec > 0
            && (Environment.GetEnvironmentVariable("WATCHDOG_PID") is not { Length: > 0 } pid || pid == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            watchdog = TimeSpan.FromMicroseconds(usec);
        }

        return new SystemdNotify(address) { WatchdogInterval = watchdog };
    }

    /// <summary>Sends one notification (lines joined with '\n'); returns the failure's message, or null.</summary>
    public string? Send(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), _endpoint);
            return null;
        }
        catch (SocketException e)
        {
            return e.Message;
        }
    }

    public void Dispose() => _socket.Dispose();
}
