namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>The config words for an enum's values, in the order the docs and error messages list them.</summary>
internal sealed class NameTable<T>(params (string Name, T Value)[] entries)
    where T : struct
{
    public IEnumerable<string> Names => entries.Select(e => e.Name);

    public bool TryGet(string name, out T value)
    {
        foreach (var (n, v) in entries)
        {
            if (n == name)
            {
                value = v;
                return true;
            }
        }

        value = default;
        return false;
    }

    public string NameOf(T value) => entries.First(e => EqualityComparer<T>.Default.Equals(e.Value, value)).Name;
}
