using System.Net;
using Fulcrum.Core.Affinity;

namespace Fulcrum.Core.Tests.Affinity;

public sealed class SourcePrefixTests
{
    private static ulong H(string ip, int v4 = 32, int v6 = 64) => SourcePrefix.Hash(IPAddress.Parse(ip), v4, v6);

    [Fact]
    public void Ipv4_FullPrefix_SeparatesNeighbours_AndAShorterOneJoinsThem()
    {
        Assert.NotEqual(H("192.0.2.1"), H("192.0.2.2"));
        Assert.Equal(H("192.0.2.1", v4: 24), H("192.0.2.200", v4: 24));
        Assert.NotEqual(H("192.0.2.1", v4: 24), H("192.0.3.1", v4: 24));
    }

    [Fact]
    public void Ipv4_PrefixNotOnAByteBoundary_MasksTheRightBits()
    {
        Assert.Equal(H("10.0.0.0", v4: 12), H("10.15.255.255", v4: 12));
        Assert.NotEqual(H("10.0.0.0", v4: 12), H("10.16.0.0", v4: 12));
    }

    [Fact]
    public void Ipv6_DefaultPrefix_KeepsAClientMovingInsideItsSlash64()
    {
        Assert.Equal(H("2001:db8:1:2::1"), H("2001:db8:1:2:ffff::9"));
        Assert.NotEqual(H("2001:db8:1:2::1"), H("2001:db8:1:3::1"));
    }

    [Fact]
    public void Ipv4MappedIpv6_CountsAsIpv4()
    {
        Assert.Equal(H("192.0.2.7"), H("::ffff:192.0.2.7"));
    }
}
