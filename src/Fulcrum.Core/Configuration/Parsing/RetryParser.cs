using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A pool's `retries:`.</summary>
internal static class RetryParser
{
    private static readonly NameTable<RetryOn> Conditions = new(
        ("connect-failure", RetryOn.ConnectFailure),
        ("502", RetryOn.Status502),
        ("503", RetryOn.Status503),
        ("504", RetryOn.Status504));

    private static readonly MappingSchema<RetryConfig> Schema = new MappingSchema<RetryConfig>("retries")
        .Key("attempts", (r, n, c) => YamlReader.Int(n, "attempts", c, min: 1) is { } i ? r with { Attempts = i } : r)
        .Key("on", (r, n, c) => r with { On = On(n, c) })
        .Key("budget", (r, n, c) => YamlReader.Percent(n, "budget", c) is { } p ? r with { Budget = p } : r)
        .Key("min-retries", (r, n, c) => YamlReader.Int(n, "min-retries", c, min: 0) is { } i ? r with { MinRetries = i } : r);

    public static RetryConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new RetryConfig { Location = context.At(node) }, context);

    private static ImmutableArray<RetryOn> On(YamlNode node, ParseContext context)
    {
        var builder = ImmutableArray.CreateBuilder<RetryOn>();
        foreach (var (text, item) in YamlReader.OneOrMany(node, "on", context))
        {
            if (Conditions.TryGet(text, out var condition)) builder.Add(condition);
            else context.Error(item, YamlReader.UnknownName("retry condition", text, Conditions.Names));
        }

        return builder.ToImmutable();
    }
}
