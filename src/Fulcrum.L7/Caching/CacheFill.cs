namespace Fulcrum.L7.Caching;

/// <summary>
/// One fetch of a key from the backend that other requests for the key wait on (request collapsing, like nginx's
/// proxy_cache_lock and Varnish's waiting list): the first miss leads, the others wait until it stored the response
/// or gave up, then look again.
/// </summary>
internal sealed class CacheFill
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the leader stored its response or gave up (never faults).</summary>
    public Task Done => _done.Task;

    public void End() => _done.TrySetResult();
}
