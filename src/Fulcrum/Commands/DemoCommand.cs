using System.CommandLine;
using Fulcrum.Demo;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Commands;

/// <summary>`fulcrum demo`: three demo backends and a balancer in front, with what to try printed.</summary>
public static class DemoCommand
{
    public const int BackendCount = 3;

    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "Port of the balancer's HTTP listener on 127.0.0.1 (0 lets the OS choose).",
            DefaultValueFactory = _ => 8080,
        };
        var adminPort = new Option<int>("--admin-port")
        {
            Description = "Port of the admin API on 127.0.0.1 (0 lets the OS choose).",
            DefaultValueFactory = _ => 9900,
        };
        var httpsPort = new Option<int>("--https-port")
        {
            Description = "Port of the balancer's HTTPS listener on 127.0.0.1 (0 lets the OS choose); it serves a self-signed certificate for localhost.",
            DefaultValueFactory = _ => 8443,
        };
        httpsPort.Validators.Add(PortValidator);
        var drainTimeout = CommonOptions.DrainTimeout();
        drainTimeout.DefaultValueFactory = _ => TimeSpan.FromSeconds(5);
        var logLevel = CommonOptions.LogLevel();
        port.Validators.Add(PortValidator);
        adminPort.Validators.Add(PortValidator);
        var command = new Command("demo", "Start three demo backends and a balancer in front of them, and print what to try.")
        {
            port,
            adminPort,
            httpsPort,
            drainTimeout,
            logLevel,
        };
        command.SetAction((parsed, _) => RunAsync(
            parsed.GetValue(port),
            parsed.GetValue(adminPort),
            parsed.GetValue(drainTimeout),
            parsed.GetValue(logLevel),
            Console.Out,
            parsed.GetValue(httpsPort)));
        return command;
    }

    public static async Task<int> RunAsync(int port, int adminPort, TimeSpan drainTimeout, LogLevel logLevel, TextWriter output, int httpsPort = 0)
    {
        using var certificate = DemoCertificate.Create();
        using var shutdown = new ShutdownSignal();
        using var loggerFactory = HostLogging.Create(logLevel);
        var log = loggerFactory.CreateLogger("Fulcrum.Demo");
        var backends = new List<DemoBackend>(BackendCount);
        try
        {
            for (var i = 1; i <= BackendCount; i++)
            {
                backends.Add(await DemoBackend.StartAsync($"demo-{i}"));
            }

            var config = DemoConfig.Create(backends, port, adminPort, certificate, httpsPort);
            if (!config.IsValid)
            {
                // The embedded config is ours: an error here is a bug, not the user's mistake.
                ValidateCommand.WriteErrors(config, Console.Error);
                return ExitCodes.RuntimeFailure;
            }

            await using var host = new BalancerHost(config.Config!, loggerFactory);
            if (!await RunCommand.TryStartAsync(host, log, watchFile: false))
            {
                await Console.Error.WriteLineAsync($"fulcrum demo: cannot listen on 127.0.0.1:{port} or :{httpsPort}; try --port 0 --https-port 0 for free ports");
                return ExitCodes.RuntimeFailure;
            }

            DemoInstructions.Write(output, backends, host);
            await shutdown.Requested;
            HostLog.Draining(log, drainTimeout);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Forced);
            deadline.CancelAfter(drainTimeout);
            await host.StopAsync(deadline.Token);
            return ExitCodes.Success;
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }

    private static void PortValidator(System.CommandLine.Parsing.OptionResult result)
    {
        if (result.GetValueOrDefault<int>() is < 0 or > 65535)
        {
            result.AddError($"{result.Option.Name} must be between 0 and 65535");
        }
    }
}
