using System.Text;

namespace Fulcrum.L7.Tests.Hardening;

/// <summary>
/// One hostile request: the bytes a client sends, the verdicts that are right for it (see <see cref="ClientProbe"/>),
/// how many requests the backend may receive, and where the case comes from. Several verdicts may be right: RFC 9112
/// lets a server either refuse some messages or process them and close; the backend rules hold in every case.
/// </summary>
/// <param name="Backend">How many requests reach the backend; null when it depends on the verdict (0 for a refusal).</param>
public sealed record HostileCase(string Name, string Group, string Source, string Request, string[] Accept, int? Backend = null)
{
    public byte[] Bytes => Encoding.Latin1.GetBytes(Request);

    public override string ToString() => Name;
}
