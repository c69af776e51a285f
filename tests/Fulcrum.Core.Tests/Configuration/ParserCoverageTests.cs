using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class ParserCoverageTests
{
    // Fields of config records that no file sets, on purpose: each with what sets it instead.
    private static readonly HashSet<string> RuntimeOnly =
    [
        // Service discovery marks the backends it finds (src/Fulcrum/Discovery); a file's backend never has it.
        "BackendConfig.DiscoveredBy",
    ];

    /// <summary>
    /// A field added to a config record but to no key table would keep its default whatever the file says. Each
    /// `init` property must be assigned (`Name = `) in some parser of src/Fulcrum.Core/Configuration/Parsing.
    /// </summary>
    [Fact]
    public void EveryConfigRecordField_IsReadByTheParser()
    {
        var parsing = string.Concat(Directory.GetFiles(Path.Combine(Repository.Root, "src/Fulcrum.Core/Configuration/Parsing"), "*.cs").Select(File.ReadAllText));
        var unread = typeof(FulcrumConfig).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(FulcrumConfig).Namespace && t.IsPublic)
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => (Type: t, Property: p)))
            .Where(x => x.Property.SetMethod?.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) == true)
            .Where(x => x.Property.Name != nameof(SourceLocation.None) && x.Property.Name != "Location")
            .Where(x => x.Type.GetConstructors().All(c => c.GetParameters().All(p => p.Name != x.Property.Name)))
            .Where(x => !Regex.IsMatch(parsing, $@"\b{x.Property.Name} = "))
            .Where(x => !RuntimeOnly.Contains($"{x.Type.Name}.{x.Property.Name}"))
            .Select(x => $"{x.Type.Name}.{x.Property.Name}")
            .ToList();

        Assert.True(unread.Count == 0, "config fields no key sets; add a .Key(...) for each: " + string.Join(", ", unread));
    }
}
