using System.Runtime.InteropServices;

namespace Fulcrum.Hosting;

/// <summary>
/// SIGTERM and SIGINT (Ctrl-C) as two steps: the first asks for a graceful stop (<see cref="Requested"/>),
/// a second one gives up on draining (<see cref="Forced"/>), as HAProxy's soft and hard stop do.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly TaskCompletionSource<PosixSignal> _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _forced = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _count;

    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        ];
    }

    /// <summary>Completes with the first stop signal.</summary>
    public Task<PosixSignal> Requested => _requested.Task;

    /// <summary>Fires on the second stop signal: stop draining now.</summary>
    public CancellationToken Forced => _forced.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _forced.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Cancel the runtime's default (exit at once): we exit after draining.
        context.Cancel = true;
        if (Interlocked.Increment(ref _count) == 1)
        {
            _requested.TrySetResult(context.Signal);
        }
        else
        {
            _forced.Cancel();
        }
    }
}
