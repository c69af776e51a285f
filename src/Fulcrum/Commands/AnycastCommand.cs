using System.CommandLine;
using Fulcrum.Anycast;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Commands;

/// <summary>
/// `fulcrum anycast -c FILE`: the health hook between this node's Fulcrum and BIRD. It follows the config's admin API
/// (`GET /healthz?require=backends`) and enables or disables the BIRD protocol that originates the anycast route
/// (docs/gslb.md, "Anycast"). Runs until SIGTERM or SIGINT, then withdraws the route.
/// </summary>
public static class AnycastCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var socket = new Option<string>("--bird-socket")
        {
            Description = "BIRD's control socket.",
            DefaultValueFactory = _ => "/run/bird/bird.ctl",
        };
        var protocol = new Option<string>("--protocol")
        {
            Description = "The BIRD static protocol that carries the anycast route (its config should say `disabled yes`).",
            DefaultValueFactory = _ => "fulcrum_anycast",
        };
        var interval = new Option<TimeSpan>("--interval")
        {
            Description = "How often to ask Fulcrum's /healthz (e.g. 200ms).",
            DefaultValueFactory = _ => TimeSpan.FromMilliseconds(200),
            CustomParser = CommonOptions.ParseDuration,
        };
        var timeout = new Option<TimeSpan?>("--timeout")
        {
            Description = "How long one check may take before it counts as a bad answer (default: half the interval, at least 50ms).",
            CustomParser = result => CommonOptions.ParseDuration(result),
        };
        var rise = new Option<int>("--rise") { Description = "Good answers in a row before announcing.", DefaultValueFactory = _ => 2 };
        var fall = new Option<int>("--fall") { Description = "Bad answers in a row before withdrawing.", DefaultValueFactory = _ => 2 };
        var logLevel = CommonOptions.LogLevel();
        var command = new Command("anycast", "Announce this node's anycast route through BIRD while Fulcrum serves, withdraw it when it does not.")
        {
            config, socket, protocol, interval, timeout, rise, fall, logLevel,
        };
        command.SetAction((parsed, _) => RunAsync(
            parsed.GetRequiredValue(config), parsed.GetRequiredValue(socket), parsed.GetRequiredValue(protocol),
            parsed.GetValue(interval), parsed.GetValue(rise), parsed.GetValue(fall), parsed.GetValue(logLevel), parsed.GetValue(timeout)));
        return command;
    }

    public static async Task<int> RunAsync(string path, string socket, string protocol, TimeSpan interval, int rise, int fall, LogLevel logLevel,
        TimeSpan? timeout = null)
    {
        var loaded = ConfigFiles.Load(path);
        if (!loaded.IsValid)
        {
            ValidateCommand.WriteErrors(loaded, Console.Error);
            return ExitCodes.BadUsage;
        }

        if (loaded.Config!.Admin is not { } admin)
        {
            Console.Error.WriteLine($"{path}: no admin section; the anycast hook asks the admin API's /healthz (docs/gslb.md)");
            return ExitCodes.BadUsage;
        }

        if (interval <= TimeSpan.Zero || timeout <= TimeSpan.Zero || rise < 1 || fall < 1)
        {
            Console.Error.WriteLine("--interval and --timeout must be more than 0, --rise and --fall at least 1");
            return ExitCodes.BadUsage;
        }

        // A wildcard bind is asked on loopback.
        var address = admin.Bind.Address.Equals(System.Net.IPAddress.Any) ? System.Net.IPAddress.Loopback
            : admin.Bind.Address.Equals(System.Net.IPAddress.IPv6Any) ? System.Net.IPAddress.IPv6Loopback : admin.Bind.Address;
        var health = new Uri($"http://{new System.Net.IPEndPoint(address, admin.Bind.Port)}/healthz?require=backends");
        using var shutdown = new ShutdownSignal();
        using var loggerFactory = HostLogging.Create(logLevel);
        using var stop = new CancellationTokenSource();
        _ = shutdown.Requested.ContinueWith(_ => stop.Cancel(), TaskScheduler.Default);
        var announcer = new AnycastAnnouncer(health, new BirdControl(socket, TimeSpan.FromSeconds(2)), protocol, interval, rise, fall,
            TimeProvider.System, loggerFactory.CreateLogger("Fulcrum.Anycast"), timeout);
        await announcer.RunAsync(stop.Token);
        return ExitCodes.Success;
    }
}
