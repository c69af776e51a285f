using System.Threading.Tasks.Sources;

namespace Fulcrum.L7.Uring;

/// <summary>
/// One direction's pending call on a <see cref="UringStream"/> (a read, or a write or connect), reused for every call:
/// the ValueTask it hands out completes from a completion on the ring's thread, and the continuation runs right
/// there (no thread-pool hop), as .NET's inline socket completions do on the epoll threads.
/// </summary>
internal sealed class UringOperation : IValueTaskSource<int>, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = false };

    /// <summary>The caller's token; its cancellation completes the call (<see cref="UringStream"/> posts it to the loop).</summary>
    public CancellationToken Token;
    public CancellationTokenRegistration Registration;
    /// <summary>The call is pending: its ValueTask has been handed out and not completed.</summary>
    public bool Pending;

    public short Version => _core.Version;

    /// <summary>Starts a call (on the caller's thread, before it reaches the loop).</summary>
    public void Begin(CancellationToken token)
    {
        _core.Reset();
        Token = token;
        Pending = true;
    }

    public void Succeed(int result)
    {
        if (!Finish()) return;
        _core.SetResult(result);
    }

    public void Fail(Exception error)
    {
        if (!Finish()) return;
        _core.SetException(error);
    }

    private bool Finish()
    {
        if (!Pending) return false;
        Pending = false;
        Registration.Unregister();
        Registration = default;
        Token = default;
        return true;
    }

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
