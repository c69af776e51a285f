namespace Fulcrum.L4;

/// <summary>
/// Wakes waiters when something they wait for may have changed (a connection slot freed, a connection closed).
/// A waiter takes <see cref="Next"/> before it checks its condition and awaits the task only when the condition
/// does not hold yet: a pulse between the check and the await completes the task it already holds, so no wake-up
/// is lost and no wait needs a timeout to recover one. Waiters re-check after waking, so a pulse that changed
/// nothing for them is harmless. A pulse with nobody waiting costs a fence and a read.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource? _next;

    /// <summary>Completes at the next <see cref="Pulse"/>; take it before checking the condition.</summary>
    public Task Next()
    {
        var next = Volatile.Read(ref _next);
        if (next is not null) return next.Task;
        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _next, fresh, null) ?? fresh).Task;
    }

    /// <summary>Call after the change (a counter decremented, a connection removed): wakes everyone waiting.</summary>
    public void Pulse()
    {
        // Orders the caller's change before the read below: a waiter that took Next before checking either saw
        // the change or holds the task completed here.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _next) is null) return;
        Interlocked.Exchange(ref _next, null)?.TrySetResult();
    }
}
