using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Fulcrum.L7.Tls;

/// <summary>
/// Kestrel's `UseHttps` takes services (its TLS metrics) from the server's ApplicationServices, which
/// ASP.NET's host registers through `UseKestrelCore`. We run KestrelServer without a host, so this
/// replays UseKestrelCore's registrations into our own service collection, through the public API.
/// </summary>
internal static class KestrelTlsServices
{
    public static void AddTo(IServiceCollection services)
    {
        services.AddMetrics();
        new ServiceCollector(services).UseKestrelCore();
    }

    /// <summary>Only what UseKestrelCore calls: ConfigureServices. Building a host is not supported.</summary>
    private sealed class ServiceCollector(IServiceCollection services) : IWebHostBuilder
    {
        private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);

#pragma warning disable ASPDEPR008 // part of the interface we implement; never called
        public IWebHost Build() => throw new NotSupportedException();
#pragma warning restore ASPDEPR008

        public IWebHostBuilder ConfigureAppConfiguration(Action<WebHostBuilderContext, IConfigurationBuilder> configureDelegate) => this;

        public IWebHostBuilder ConfigureServices(Action<IServiceCollection> configureServices)
        {
            configureServices(services);
            return this;
        }

        public IWebHostBuilder ConfigureServices(Action<WebHostBuilderContext, IServiceCollection> configureServices)
        {
            configureServices(new WebHostBuilderContext { Configuration = new ConfigurationBuilder().Build() }, services);
            return this;
        }

        public string? GetSetting(string key) => _settings.GetValueOrDefault(key);

        public IWebHostBuilder UseSetting(string key, string? value)
        {
            _settings[key] = value;
            return this;
        }
    }
}
