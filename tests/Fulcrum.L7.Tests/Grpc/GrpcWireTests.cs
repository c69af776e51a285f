using Fulcrum.L7.Grpc;

namespace Fulcrum.L7.Tests.Grpc;

/// <summary>The pieces of gRPC's HTTP/2 mapping Fulcrum reads and writes itself: grpc-timeout, grpc-message, the status table.</summary>
public sealed class GrpcWireTests
{
    [Theory]
    [InlineData("100m", 100 * TimeSpan.TicksPerMillisecond)]
    [InlineData("5S", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("2M", 2 * TimeSpan.TicksPerMinute)]
    [InlineData("1H", TimeSpan.TicksPerHour)]
    [InlineData("250000u", 250 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1000000n", TimeSpan.TicksPerMillisecond)]
    [InlineData("99999999S", 30 * TimeSpan.TicksPerDay)] // past what a timer takes: the 30-day cap
    public void GrpcTimeout_ReadsEveryUnit(string header, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(TimeSpan.FromTicks(ticks), timeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("100")]
    [InlineData("100s")]
    [InlineData("-5S")]
    [InlineData("123456789S")] // more than 8 digits
    [InlineData("1.5S")]
    public void GrpcTimeout_RefusesWhatIsNotOne(string header) => Assert.False(GrpcTimeout.TryParse(header, out _));

    [Theory]
    [InlineData("no backend available in pool 'app'", "no backend available in pool 'app'")]
    [InlineData("100% sure", "100%25 sure")]
    [InlineData("caf\u00e9\n", "caf%C3%A9%0A")]
    public void GrpcMessage_IsPercentEncodedUtf8(string text, string encoded) => Assert.Equal(encoded, GrpcAnswer.PercentEncode(text));

    [Theory]
    [InlineData(401, 16)]
    [InlineData(403, 7)]
    [InlineData(404, 12)]
    [InlineData(429, 8)]
    [InlineData(502, 14)]
    [InlineData(503, 14)]
    [InlineData(504, 4)]
    [InlineData(500, 2)]
    public void BalancerAnswers_MapToGrpcStatuses(int http, int grpc) => Assert.Equal(grpc, GrpcStatus.FromHttp(http));
}
