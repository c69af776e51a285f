using System.Globalization;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// Reads the Fulcrum process once a second (/proc/PID/status and /proc/PID/fd, the admin API's /metrics and
/// /api/pools) and appends a <see cref="Sample"/> to the CSV as it goes, so a run that dies still leaves its data.
/// </summary>
public sealed class Sampler(int pid, AdminClient admin, Tally tally, Func<TimeSpan> clock, string csvPath)
{
    private readonly List<Sample> _samples = [];
    private volatile string _phase = "load";

    public IReadOnlyList<Sample> Samples
    {
        get
        {
            lock (_samples) return [.. _samples];
        }
    }

    /// <summary>What the rows are labelled from now on (load, then drain once the load stopped).</summary>
    public string Phase
    {
        set => _phase = value;
    }

    public async Task RunAsync(CancellationToken stop)
    {
        await using var csv = new StreamWriter(csvPath) { AutoFlush = true };
        await csv.WriteLineAsync(Sample.CsvHeader);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var sample = await TakeAsync();
                lock (_samples) _samples.Add(sample);
                await csv.WriteLineAsync(sample.ToCsv());
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Sampling ends with the soak.
        }
    }

    private async Task<Sample> TakeAsync()
    {
        var seconds = clock().TotalSeconds;
        var (rss, threads) = ReadStatus();
        var fds = CountFds();
        var heap = await admin.GcHeapAsync() ?? -1;
        var active = await admin.ActiveAsync();
        var leases = active?.Values.Sum() ?? -1;
        var channels = Enum.GetValues<Channel>();
        return new Sample(
            seconds, _phase, rss, threads, fds, heap, leases, LoadAverage(), tally.AllOk,
            [.. channels.Select(tally.Ok)], tally.AllFailedIdempotent, tally.AllFailedOther,
            [.. channels.Select(c => tally.FailedIdempotent(c) + tally.FailedOther(c))]);
    }

    private (long RssKib, long Threads) ReadStatus()
    {
        long rss = -1, threads = -1;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = FirstNumber(line);
                else if (line.StartsWith("Threads:", StringComparison.Ordinal)) threads = FirstNumber(line);
            }
        }
        catch (IOException)
        {
            // The process is gone; the row says -1.
        }

        return (rss, threads);
    }

    private long CountFds()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").LongCount();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>The 1-minute load average: other work on the machine slows the soak's clients and Fulcrum alike.</summary>
    private static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static long FirstNumber(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
}
