using Fulcrum.Core.IO.Uring;

namespace Fulcrum.L4.Tests.Support;

/// <summary>Runs a test's async code starting on an io_uring loop's thread, as a connection the ring accepted runs.</summary>
internal sealed class OnLoop<T>(Func<Task<T>> body) : IUringWork
{
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task<T> RunAsync(UringLoop loop, Func<Task<T>> body)
    {
        var work = new OnLoop<T>(body);
        loop.Post(work, 0);
        return work._done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Run(int what) => _ = RunBodyAsync();

    private async Task RunBodyAsync()
    {
        try
        {
            _done.SetResult(await body());
        }
        catch (Exception e)
        {
            _done.SetException(e);
        }
    }
}
