using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Filters;

/// <summary>
/// The check `fulcrum validate` and `run` add to the parser's for `filters:`: every name is a filter Fulcrum has and its
/// settings are ones the filter takes, reported at the entry's FILE:LINE:COL (the parser does not know the filters);
/// and a `static` route's root is a folder that exists (the parser reads files from no disk but the config's own).
/// </summary>
public static class FilterConfigCheck
{
    public static IReadOnlyList<ConfigError> Check(FulcrumConfig config) => Check(config, FilterRegistry.Default);

    internal static IReadOnlyList<ConfigError> Check(FulcrumConfig config, FilterRegistry registry)
    {
        var errors = new List<ConfigError>();
        foreach (var listener in config.Listeners)
        {
            foreach (var route in listener.Routes)
            {
                foreach (var entry in route.Filters) registry.Find(entry, errors)?.Create(entry, errors);
                // The route compiler leaves such a route out; said here too so that `fulcrum validate` reports it.
                if (route.Static is { } files && !Directory.Exists(files.Root)) errors.Add(new ConfigError(files.Location, $"static 'root' {files.Root} is not a folder"));
            }
        }

        return errors;
    }
}
