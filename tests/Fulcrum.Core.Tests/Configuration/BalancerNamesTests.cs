using Fulcrum.Core.Balancing;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class BalancerNamesTests
{
    [Fact]
    public void Registry_OffersExactlyTheAlgorithmNamesTheConfigAccepts()
    {
        Assert.Equal(13, BalancerNames.All.Length);
        Assert.Equal(BalancerNames.All.Order(StringComparer.Ordinal), BalancerRegistry.Names.Order(StringComparer.Ordinal));
    }
}
