using StackExchange.Redis;

namespace Fulcrum.Samples.SessionDemo;

/// <summary>Sessions in Redis with a sliding 30-minute expiry: every instance sees them and a crash loses nothing.</summary>
public sealed class RedisSessionStore : ISessionStore, IDisposable
{
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(30);
    private readonly ConnectionMultiplexer _redis;

    private RedisSessionStore(ConnectionMultiplexer redis) => _redis = redis;

    public static async Task<RedisSessionStore> ConnectAsync(string configuration) =>
        new(await ConnectionMultiplexer.ConnectAsync(configuration));

    public Task SetAsync(string sessionId, string user) => _redis.GetDatabase().StringSetAsync(Key(sessionId), user, Expiry);

    public async Task<string?> GetAsync(string sessionId)
    {
        var value = await _redis.GetDatabase().StringGetSetExpiryAsync(Key(sessionId), Expiry);
        return value.IsNull ? null : value.ToString();
    }

    public Task RemoveAsync(string sessionId) => _redis.GetDatabase().KeyDeleteAsync(Key(sessionId));

    public void Dispose() => _redis.Dispose();

    private static RedisKey Key(string sessionId) => "session-demo:" + sessionId;
}
