using StackExchange.Redis;

namespace Fulcrum.Samples.SessionDemo;

/// <summary>Sessions in Redis with a sliding 30-minute expiry: every instance sees them and a crash loses nothing.</summary>
public sealed class RedisSessionStore : ISessionStore, IDisposable
{
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(30);
    private readonly ConnectionMultiplexer _redis;

    private RedisSessionStore(ConnectionMultiplexer redis) => _redis = redis;

    /// <summary>host:port (or any StackExchange.Redis configuration string), or the path of a unix socket.</summary>
    public static async Task<RedisSessionStore> ConnectAsync(string configuration)
    {
        var options = configuration.StartsWith('/')
            ? new ConfigurationOptions { EndPoints = { new System.Net.Sockets.UnixDomainSocketEndPoint(configuration) } }
            : ConfigurationOptions.Parse(configuration);
        return new(await ConnectionMultiplexer.ConnectAsync(options));
    }

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
