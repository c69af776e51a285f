using System.Diagnostics;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Observability;

namespace Fulcrum.Benchmarks;

/// <summary>
/// Whole-process CPU per access log line, request side and writer thread together, written to /dev/null:
/// `taskset -c 1 dotnet bench/Fulcrum.Benchmarks/bin/Release/net10.0/Fulcrum.Benchmarks.dll access-log-cpu [PATH]`
/// (PATH defaults to /dev/null: formatting only; a real file adds the kernel's write).
/// Lines go in bursts the buffer holds, so none is dropped; the producer waits (sleeping) for each burst.
/// </summary>
public static class AccessLogCpu
{
    public static int Run(string path = "/dev/null", int lines = 2_000_000, int burst = 4_000)
    {
        var counters = new AccessLogCounters();
        var log = new AccessLog(new AccessLogConfig { Path = path, Buffer = burst * 2 }, counters, Random.Shared);
        // The writer as the host runs it (src/Fulcrum/Hosting/AccessLogThread.cs): a thread batching every BatchDelay.
        var writer = new Thread(() =>
        {
            while (log.WriteQueued()) Thread.Sleep(AccessLog.BatchDelay);
        }) { IsBackground = true, Name = "fulcrum-access-log" };
        writer.Start();
        var entry = AccessLogBenchmarks.Sample();
        Measure(log, counters, entry, lines / 10, burst); // warm-up: tiered JIT settles
        var (cpu, wall) = Measure(log, counters, entry, lines, burst);
        log.Dispose();
        writer.Join();
        Console.WriteLine($"access log to {path}: {lines} lines, {cpu.TotalMicroseconds * 1000 / lines:F0} ns CPU/line (request side + writer), " +
                          $"{wall.TotalSeconds:F1} s wall, dropped {counters.Dropped}");
        return counters.Dropped == 0 ? 0 : 1;
    }

    private static (TimeSpan Cpu, TimeSpan Wall) Measure(AccessLog log, AccessLogCounters counters, AccessLogEntry entry, int lines, int burst)
    {
        var process = Process.GetCurrentProcess();
        var start = counters.Written + counters.Dropped;
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < lines; sent += burst)
        {
            for (var i = 0; i < burst; i++) log.Write(entry);
            while (counters.Written + counters.Dropped < start + sent + burst) Thread.Sleep(5);
        }

        process.Refresh();
        return (process.TotalProcessorTime - cpu0, clock.Elapsed);
    }
}
