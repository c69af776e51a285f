using System.Globalization;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// One second of the soak: the Fulcrum process's resident memory, threads, open descriptors and GC heap, the leases
/// its backends hold, the machine's load, and the load's running totals (failures per channel: idempotent and not
/// together). -1 where a reading failed.
/// </summary>
public sealed record Sample(
    double Seconds,
    string Phase,
    long RssKib,
    long Threads,
    long Fds,
    long GcHeapBytes,
    long Leases,
    double Load1,
    long Ok,
    long[] OkByChannel,
    long FailedIdempotent,
    long FailedOther,
    long[] FailedByChannel)
{
    public static string CsvHeader =>
        "seconds,phase,rss_kib,threads,fds,gc_heap_bytes,leases,load1,ok,"
        + string.Join(',', Enum.GetNames<Channel>().Select(c => "ok_" + c.ToLowerInvariant()))
        + ",failed_idempotent,failed_other,"
        + string.Join(',', Enum.GetNames<Channel>().Select(c => "failed_" + c.ToLowerInvariant()));

    public string ToCsv() => string.Join(',',
        [
            Seconds.ToString("F1", CultureInfo.InvariantCulture), Phase,
            RssKib.ToString(CultureInfo.InvariantCulture), Threads.ToString(CultureInfo.InvariantCulture),
            Fds.ToString(CultureInfo.InvariantCulture), GcHeapBytes.ToString(CultureInfo.InvariantCulture),
            Leases.ToString(CultureInfo.InvariantCulture), Load1.ToString("F2", CultureInfo.InvariantCulture),
            Ok.ToString(CultureInfo.InvariantCulture),
            .. OkByChannel.Select(n => n.ToString(CultureInfo.InvariantCulture)),
            FailedIdempotent.ToString(CultureInfo.InvariantCulture), FailedOther.ToString(CultureInfo.InvariantCulture),
            .. FailedByChannel.Select(n => n.ToString(CultureInfo.InvariantCulture)),
        ]);
}
