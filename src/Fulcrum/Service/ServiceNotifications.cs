using System.Diagnostics;
using System.Globalization;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Service;

/// <summary>
/// Tells systemd (Type=notify) what `fulcrum run` is doing: READY=1 once every listener serves, RELOADING=1 and
/// READY=1 around each reload, STOPPING=1 when the drain is asked for, WATCHDOG=1 at half of WatchdogSec, and a
/// STATUS= line that `systemctl status` shows. Nothing happens without $NOTIFY_SOCKET.
/// </summary>
internal sealed class ServiceNotifications : IDisposable
{
    private readonly SystemdNotify _notify;
    private readonly BalancerHost _host;
    private readonly ILogger _log;
    private readonly ITimer? _watchdog;
    private int _failuresLogged;

    private ServiceNotifications(SystemdNotify notify, BalancerHost host, ILogger log)
    {
        _notify = notify;
        _host = host;
        _log = log;
        if (host.Reloader is { } reloader)
        {
            reloader.Reloading += OnReloading;
            reloader.Reloaded += OnReloaded;
        }

        host.DrainBegun += OnDrainBegun;
        if (notify.WatchdogInterval is { } interval)
        {
            // Half the interval, as sd_watchdog_enabled(3) advises, so one late tick on a busy machine is not a restart.
            var every = interval / 2;
            _watchdog = TimeProvider.System.CreateTimer(static self => ((ServiceNotifications)self!).Send("WATCHDOG=1"), this, every, every);
        }

        HostLog.SystemdNotifying(log, notify.Address, notify.WatchdogInterval is { } w ? $"; watchdog every {w.TotalSeconds / 2:0.###} s" : "");
    }

    /// <summary>Null when the process is not under systemd's notify protocol.</summary>
    public static ServiceNotifications? Attach(BalancerHost host, ILogger log) =>
        SystemdNotify.FromEnvironment() is { } notify ? new ServiceNotifications(notify, host, log) : null;

    public void Ready() => Send($"READY=1\nSTATUS={Serving()}\nMAINPID={Environment.ProcessId}");

    public void Dispose()
    {
        _watchdog?.Dispose();
        if (_host.Reloader is { } reloader)
        {
            reloader.Reloading -= OnReloading;
            reloader.Reloaded -= OnReloaded;
        }

        _host.DrainBegun -= OnDrainBegun;
        _notify.Dispose();
    }

    // systemd 253's Type=notify-reload wants the CLOCK_MONOTONIC time with RELOADING=1; on Linux the Stopwatch is that clock.
    private void OnReloading(ReloadTrigger trigger) =>
        Send($"RELOADING=1\nMONOTONIC_USEC={Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000)}\nSTATUS=reloading ({trigger})");

    private void OnReloaded(ReloadOutcome outcome) =>
        Send(outcome.Applied
            ? $"READY=1\nSTATUS={Serving()}"
            : $"READY=1\nSTATUS=reload rejected ({outcome.Errors.Length} errors); {Serving()}");

    private void OnDrainBegun() => Send("STOPPING=1\nSTATUS=draining");

    private string Serving() => string.Create(CultureInfo.InvariantCulture, $"serving generation {_host.Store.Current.Generation}");

    private void Send(string state)
    {
        if (_notify.Send(state) is { } failure && Interlocked.Increment(ref _failuresLogged) <= 3)
        {
            HostLog.SystemdFailed(_log, _notify.Address, failure);
        }
    }
}
