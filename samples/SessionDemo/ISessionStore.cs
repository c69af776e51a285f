namespace Fulcrum.Samples.SessionDemo;

/// <summary>Where the demo app keeps who is logged in: its own memory, or Redis shared by every instance.</summary>
public interface ISessionStore
{
    Task SetAsync(string sessionId, string user);
    Task<string?> GetAsync(string sessionId);
    Task RemoveAsync(string sessionId);
}
