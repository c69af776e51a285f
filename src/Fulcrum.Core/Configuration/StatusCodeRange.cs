namespace Fulcrum.Core.Configuration;

/// <summary>An inclusive HTTP status range such as `200-399` or `200`.</summary>
public sealed record StatusCodeRange(int Min, int Max)
{
    public static readonly StatusCodeRange Default = new(200, 399);

    public bool Contains(int status) => status >= Min && status <= Max;

    public override string ToString() => Min == Max ? Min.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Min}-{Max}";
}
