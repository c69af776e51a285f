namespace Fulcrum.L7.Filters;

/// <summary>The hooks a filter implements; a chain calls only these, so a hook a filter leaves out costs nothing.</summary>
[Flags]
internal enum FilterHooks
{
    None = 0,
    RequestHead = 1,
    RequestBody = 2,
    ResponseHead = 4,
    ResponseBody = 8,
    ResponseEnd = 16,
}
