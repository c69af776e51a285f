using Fulcrum.Bench.Ha.Lab;

namespace Fulcrum.Tests.Ha;

/// <summary>A test that builds network namespaces: skipped, saying why, where that cannot be done (not root, no `ip netns`).</summary>
public sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (!NetworkLab.CanRun(out var why)) Skip = $"needs network namespaces: {why}";
    }
}
