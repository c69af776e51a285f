namespace Fulcrum.Core.Caching;

/// <summary>The words for a <see cref="CacheResult"/>, as constants so logging one allocates nothing.</summary>
public static class CacheResultNames
{
    public static readonly CacheResult[] All = [CacheResult.Hit, CacheResult.Stale, CacheResult.Revalidated, CacheResult.Collapsed, CacheResult.Miss, CacheResult.Bypass];

    public static string Of(CacheResult result) => result switch
    {
        CacheResult.Hit => "hit",
        CacheResult.Stale => "stale",
        CacheResult.Revalidated => "revalidated",
        CacheResult.Collapsed => "collapsed",
        CacheResult.Miss => "miss",
        _ => "bypass",
    };
}
