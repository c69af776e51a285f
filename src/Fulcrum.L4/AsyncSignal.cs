namespace Fulcrum.L4;

/// <summary>
/// Wakes waiters when something they wait for may have changed (a connection slot freed).
/// Waiters re-check their condition after waking, so a spurious or coalesced wake-up is harmless.
/// </summary>
internal sealed class AsyncSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, int.MaxValue);
    private int _waiters;

    public bool HasWaiters => Volatile.Read(ref _waiters) > 0;

    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            return await _semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    public void Pulse()
    {
        if (HasWaiters && _semaphore.CurrentCount < Volatile.Read(ref _waiters)) _semaphore.Release();
    }
}
