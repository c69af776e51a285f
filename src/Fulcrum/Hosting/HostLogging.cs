using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Fulcrum.Hosting;

/// <summary>The process's logger: one line per event on stdout, UTC timestamps, so `grep` and journald read it.</summary>
public static class HostLogging
{
    public static ILoggerFactory Create(LogLevel minimum) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(minimum);
        // Kestrel and the hosting stack narrate every connection at Information, YARP's forwarder every
        // request (two lines each: it cut throughput by 3x in bench/l7); a balancer's log is for its own
        // events, so theirs start at Warning unless asked for more.
        var libraries = minimum > LogLevel.Warning ? minimum : LogLevel.Warning;
        builder.AddFilter("Microsoft", libraries);
        builder.AddFilter("System.Net.Http", libraries);
        builder.AddFilter("Yarp", libraries);
        builder.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    });
}
