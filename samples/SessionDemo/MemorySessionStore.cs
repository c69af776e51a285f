using System.Collections.Concurrent;

namespace Fulcrum.Samples.SessionDemo;

/// <summary>Sessions in this process only: another instance does not know them, and a crash forgets them.</summary>
public sealed class MemorySessionStore : ISessionStore
{
    private readonly ConcurrentDictionary<string, string> _sessions = new(StringComparer.Ordinal);

    public Task SetAsync(string sessionId, string user)
    {
        _sessions[sessionId] = user;
        return Task.CompletedTask;
    }

    public Task<string?> GetAsync(string sessionId) => Task.FromResult(_sessions.TryGetValue(sessionId, out var user) ? user : null);

    public Task RemoveAsync(string sessionId)
    {
        _sessions.TryRemove(sessionId, out _);
        return Task.CompletedTask;
    }
}
