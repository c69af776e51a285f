using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Tests.Hosting;

public sealed class HostLoggingTests
{
    [Theory]
    [InlineData("Yarp.ReverseProxy.Forwarder.HttpForwarder")]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel")]
    [InlineData("System.Net.Http.HttpClient")]
    public void LibraryLogs_StartAtWarning_SoNoRequestIsNarratedAtInformation(string category)
    {
        using var factory = HostLogging.Create(LogLevel.Information);
        var logger = factory.CreateLogger(category);

        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void DebugLevel_OpensFulcrumsOwnLogs_ButKeepsLibrariesAtWarning()
    {
        using var factory = HostLogging.Create(LogLevel.Debug);

        Assert.False(factory.CreateLogger("Yarp.ReverseProxy.Forwarder.HttpForwarder").IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger("Fulcrum.L7").IsEnabled(LogLevel.Debug));
    }

    [Fact]
    public void LibraryLogs_AreQuieterStill_WhenTheLevelIsAboveWarning()
    {
        using var factory = HostLogging.Create(LogLevel.Error);

        Assert.False(factory.CreateLogger("Yarp.ReverseProxy.Forwarder.HttpForwarder").IsEnabled(LogLevel.Warning));
    }
}
