namespace Fulcrum.Bench.Soak;

/// <summary>
/// The chaos, each on its own schedule while the load runs:
/// - every 6 s a backend is killed (listener closed, connections reset) and restarted 2 s later, in turn web-1, tcp-1,
///   udp-1, web-2, tcp-2, udp-2: one backend of a pool down at a time;
/// - every 10 s the config file is rewritten (atomically) with the next variant, which Fulcrum's file watcher reloads;
///   the variants alternate a weight change and a backend list change (each pool's fourth backend leaves and returns);
/// - every 10 s, 5 s after each reload, each pool's third backend is drained through the admin API and made ready 4 s later;
/// - every 15 s the https listener's certificate files are rewritten with a fresh certificate.
/// At most two backends of a pool (one killed, one drained) plus the one a reload removed are out at once, so one is
/// always up. Every action leaves its backend as it found it, even when the soak stops in the middle of one.
/// </summary>
public sealed class Chaos(
    IReadOnlyList<ISoakBackend> killable,
    IReadOnlyList<(string Pool, string Backend)> drainable,
    AdminClient admin,
    CertificateFiles certificates,
    Action<int> writeConfig,
    KillLog kills,
    Func<TimeSpan> clock)
{
    public static readonly TimeSpan KillPeriod = TimeSpan.FromSeconds(6);
    public static readonly TimeSpan KillFor = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan ReloadPeriod = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DrainPeriod = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DrainFor = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan RotatePeriod = TimeSpan.FromSeconds(15);

    private int _reloads;
    private int _drains;
    private int _adminRefusals;
    private int _rotations;

    public int Kills => kills.Count;
    public int ConfigWrites => Volatile.Read(ref _reloads);
    public int Drains => Volatile.Read(ref _drains);
    public int Rotations => Volatile.Read(ref _rotations);

    /// <summary>Drain or ready calls the admin API refused or did not answer: there should be none.</summary>
    public int AdminRefusals => Volatile.Read(ref _adminRefusals);

    public Task RunAsync(TimeSpan duration, CancellationToken stop) => Task.WhenAll(
        Schedule.EveryAsync(TimeSpan.FromSeconds(3), KillPeriod, Schedule.Limit(duration, KillPeriod), stop, KillAsync),
        Schedule.EveryAsync(ReloadPeriod, ReloadPeriod, Schedule.Limit(duration, ReloadPeriod), stop, (i, _) =>
        {
            writeConfig(i + 1);
            Interlocked.Increment(ref _reloads);
            return Task.CompletedTask;
        }),
        Schedule.EveryAsync(ReloadPeriod / 2, DrainPeriod, Schedule.Limit(duration, DrainPeriod), stop, DrainAsync),
        Schedule.EveryAsync(RotatePeriod, RotatePeriod, Schedule.Limit(duration, RotatePeriod), stop, (_, _) =>
        {
            certificates.Rotate();
            Interlocked.Increment(ref _rotations);
            return Task.CompletedTask;
        }));

    private async Task KillAsync(int i, CancellationToken stop)
    {
        var backend = killable[i % killable.Count];
        kills.Begin(backend.Channels);
        var killed = clock();
        await backend.KillAsync();
        try
        {
            // The time a crashed server takes to come back: part of the schedule, not a wait for a condition.
            await Task.Delay(KillFor, stop);
        }
        catch (OperationCanceledException)
        {
            // Restart at once: the soak is ending.
        }
        finally
        {
            await backend.RestartAsync();
            kills.Add(backend.Channels, killed, clock());
        }
    }

    private async Task DrainAsync(int i, CancellationToken stop)
    {
        foreach (var (pool, backend) in drainable)
        {
            if (!await admin.BackendActionAsync(pool, backend, "drain")) Interlocked.Increment(ref _adminRefusals);
        }

        Interlocked.Increment(ref _drains);
        try
        {
            await Task.Delay(DrainFor, stop);
        }
        catch (OperationCanceledException)
        {
            // Return them at once: the soak is ending.
        }
        finally
        {
            foreach (var (pool, backend) in drainable)
            {
                if (!await admin.BackendActionAsync(pool, backend, "ready")) Interlocked.Increment(ref _adminRefusals);
            }
        }
    }
}
