using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>The parts of a listener's `limits:` the request-head parser enforces, as ints for span arithmetic.</summary>
internal readonly record struct Http1Limits(int MaxRequestLine, int MaxHeaderSize, int MaxHeaders)
{
    public static Http1Limits From(HttpLimitsConfig config) => new(
        (int)Math.Min(config.MaxRequestLine, 1 << 20), (int)Math.Min(config.MaxHeaderSize, 1 << 24), config.MaxHeaders);

    /// <summary>The most a whole head can take: request line, fields, and their line ends.</summary>
    public int MaxHead => MaxRequestLine + MaxHeaderSize + 4;
}
