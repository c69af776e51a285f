using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// Typed reads of YAML values. Each read reports a wrong value as an error at its node and returns null, so the
/// caller keeps the record's default and parsing goes on to find the next mistake.
/// </summary>
internal static class YamlReader
{
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "an empty value",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an alias",
    };

    public static YamlNode? Find(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>The key node itself, to point an error at the key rather than its value.</summary>
    public static YamlNode? FindKey(YamlMappingNode mapping, string key)
    {
        foreach (var k in mapping.Children.Keys)
        {
            if (k is YamlScalarNode { Value: { } v } && v == key) return k;
        }

        return null;
    }

    public static string? String(YamlNode node, string key, ParseContext context)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar)) return scalar.Value!;
        context.Error(node, node is YamlScalarNode ? $"'{key}' needs a value" : $"'{key}' must be a string, not {Describe(node)}");
        return null;
    }

    public static bool? Bool(YamlNode node, string key, ParseContext context)
    {
        var text = String(node, key, context);
        if (text is null) return null;
        if (text is "true" or "True" or "TRUE") return true;
        if (text is "false" or "False" or "FALSE") return false;
        context.Error(node, $"'{key}' must be true or false, not '{text}'");
        return null;
    }

    public static int? Int(YamlNode node, string key, ParseContext context, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = String(node, key, context);
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            context.Error(node, $"'{key}' must be a whole number, not '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            context.Error(node, RangeMessage(key, value, min, max));
            return null;
        }

        return value;
    }

    public static TimeSpan? Duration(YamlNode node, string key, ParseContext context, bool allowZero = true)
    {
        var text = String(node, key, context);
        if (text is null) return null;
        if (!DurationParser.TryParse(text, out var value))
        {
            context.Error(node, $"'{key}' must be {DurationParser.Hint}, not '{text}'");
            return null;
        }

        if (!allowZero && value == TimeSpan.Zero)
        {
            context.Error(node, $"'{key}' must be longer than 0");
            return null;
        }

        return value;
    }

    public static long? Size(YamlNode node, string key, ParseContext context)
    {
        var text = String(node, key, context);
        if (text is null) return null;
        if (SizeParser.TryParse(text, out var bytes)) return bytes;
        context.Error(node, $"'{key}' must be {SizeParser.Hint}, not '{text}'");
        return null;
    }

    /// <summary>
    /// A share written as a percentage, `50%` or `12.5%`, returned as 0.5 or 0.125. A bare `0` is zero, as with
    /// durations: it means the same as a share or a percentage, and Envoy's and HAProxy's users write it to turn a
    /// threshold off. Any other bare number is refused, because `sample: 0.5` is a share while Envoy reads `50` as
    /// 50%: guessing either way would be wrong for someone.
    /// </summary>
    public static double? Percent(YamlNode node, string key, ParseContext context)
    {
        var text = String(node, key, context);
        if (text is null) return null;
        if (text == "0") return 0;
        if (text.EndsWith('%')
            && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent)
            && percent <= 100)
        {
            return percent / 100;
        }

        var hint = double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _) ? "; only 0 may be written without the %" : "";
        context.Error(node, $"'{key}' must be a percentage from 0% to 100%, like 50%, not '{text}'{hint}");
        return null;
    }

    /// <summary>A byte count: a whole number of bytes, or a size with a unit such as 64KiB.</summary>
    public static long? Bytes(YamlNode node, string key, ParseContext context)
    {
        var text = String(node, key, context);
        if (text is null) return null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) || SizeParser.TryParse(text, out bytes)) return bytes;
        context.Error(node, $"'{key}' must be a number of bytes or {SizeParser.Hint}, not '{text}'");
        return null;
    }

    /// <summary>One of a fixed set of words; a near miss gets a suggestion.</summary>
    public static TEnum? Enum<TEnum>(YamlNode node, string key, ParseContext context, NameTable<TEnum> names)
        where TEnum : struct
    {
        var text = String(node, key, context);
        if (text is null) return null;
        if (names.TryGet(text, out var value)) return value;
        context.Error(node, UnknownName(key, text, names.Names));
        return null;
    }

    /// <summary>"unknown protocol 'htp'; did you mean 'http'?" or, with no near name, the list of names.</summary>
    public static string UnknownName(string noun, string text, IEnumerable<string> known) =>
        NameSuggester.Nearest(text, known) is { } near
            ? $"unknown {noun} '{text}'; did you mean '{near}'?"
            : $"unknown {noun} '{text}'; use one of {string.Join(", ", known)}";

    /// <summary>A string, or a list of strings: `method: GET` and `method: [GET, HEAD]` both work.</summary>
    public static ImmutableArray<(string Value, YamlNode Node)> OneOrMany(YamlNode node, string key, ParseContext context)
    {
        if (node is not YamlSequenceNode sequence)
        {
            var one = String(node, key, context);
            return one is null ? [] : [(one, node)];
        }

        var builder = ImmutableArray.CreateBuilder<(string, YamlNode)>(sequence.Children.Count);
        foreach (var item in sequence.Children)
        {
            if (String(item, key, context) is { } text) builder.Add((text, item));
        }

        if (builder.Count == 0 && sequence.Children.Count == 0) context.Error(node, $"'{key}' must not be an empty list");
        return builder.ToImmutable();
    }

    /// <summary>A list whose items <paramref name="readItem"/> reads; it gets each item's index.</summary>
    public static ImmutableArray<T> List<T>(YamlNode node, string key, ParseContext context, Func<YamlNode, int, ParseContext, T?> readItem)
        where T : class
    {
        if (node is not YamlSequenceNode sequence)
        {
            if (node is YamlScalarNode scalar && IsNull(scalar)) return [];
            context.Error(node, $"'{key}' must be a list (items starting with '- '), not {Describe(node)}");
            return [];
        }

        var builder = ImmutableArray.CreateBuilder<T>(sequence.Children.Count);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (readItem(sequence.Children[i], i, context) is { } item) builder.Add(item);
        }

        return builder.ToImmutable();
    }

    /// <summary>A mapping of plain strings, e.g. headers to add: `{ X-Env: prod }`.</summary>
    public static ImmutableArray<KeyValuePair<string, string>> StringMap(YamlNode node, string key, ParseContext context)
    {
        if (node is not YamlMappingNode mapping)
        {
            context.Error(node, $"'{key}' must be a mapping of names to values, not {Describe(node)}");
            return [];
        }

        var builder = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>(mapping.Children.Count);
        foreach (var (k, v) in mapping.Children)
        {
            var name = String(k, key, context);
            var value = v is YamlScalarNode s && IsNull(s) ? "" : String(v, name ?? key, context);
            if (name is not null && value is not null) builder.Add(new(name, value));
        }

        return builder.ToImmutable();
    }

    public static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string RangeMessage(string key, int value, int min, int max) =>
        (min, max) switch
        {
            (1, int.MaxValue) => $"'{key}' must be positive, not {value}",
            (0, int.MaxValue) => $"'{key}' must not be negative, not {value}",
            _ => $"'{key}' must be from {min} to {max}, not {value}",
        };
}
