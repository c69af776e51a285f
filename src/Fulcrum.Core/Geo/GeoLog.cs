using Microsoft.Extensions.Logging;

namespace Fulcrum.Core.Geo;

/// <summary>Source-generated log messages of the geo lookup (5100-5109).</summary>
internal static partial class GeoLog
{
    [LoggerMessage(5100, LogLevel.Error, "geo database {Path} not used: {Reason}; only geo.networks answers")]
    public static partial void DatabaseUnavailable(ILogger logger, string path, string reason);
}
