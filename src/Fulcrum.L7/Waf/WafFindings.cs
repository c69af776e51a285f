using System.Runtime.InteropServices;
using System.Text;

namespace Fulcrum.L7.Waf;

/// <summary>
/// The ids of the rules that matched while one request was inspected, in the order they matched. ModSecurity reports
/// matches through one process-wide log callback (<see cref="ModSecurityEngine"/>); the inspection runs its native
/// calls synchronously on one thread, so the callback finds the request's findings in <see cref="Current"/>, a
/// per-thread object reused request after request: a clean request allocates nothing here.
/// </summary>
internal sealed class WafFindings
{
    private const int MaxIds = 32;

    [ThreadStatic]
    private static WafFindings? _current;

    private readonly int[] _ids = new int[MaxIds];
    private bool _active;

    /// <summary>The findings of the inspection running on this thread, or null outside one.</summary>
    public static WafFindings? Current => _current is { _active: true } findings ? findings : null;

    public int Count { get; private set; }

    public int this[int index] => _ids[index];

    /// <summary>This thread's findings, emptied and made current until <see cref="End"/>.</summary>
    public static WafFindings Begin()
    {
        var findings = _current ??= new WafFindings();
        findings.Count = 0;
        findings._active = true;
        return findings;
    }

    public void End() => _active = false;

    /// <summary>Takes the rule id out of a ModSecurity log line (`... [id "942100"] ...`).</summary>
    public unsafe void Add(byte* message)
    {
        if (!_active || message is null) return;
        Add(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(message));
    }

    public void Add(ReadOnlySpan<byte> message)
    {
        if (IdOf(message) is not { } id || Count == MaxIds) return;
        for (var i = 0; i < Count; i++)
        {
            if (_ids[i] == id) return;
        }

        _ids[Count++] = id;
    }

    /// <summary>The matched ids, space-separated, for the access log's `waf_rules` (made only for a flagged request).</summary>
    public string Text()
    {
        var text = new StringBuilder(Count * 7);
        for (var i = 0; i < Count; i++)
        {
            if (i > 0) text.Append(' ');
            text.Append(_ids[i]);
        }

        return text.ToString();
    }

    private static int? IdOf(ReadOnlySpan<byte> message)
    {
        var at = message.IndexOf("[id \""u8);
        if (at < 0) return null;
        var digits = message[(at + 5)..];
        var id = 0;
        var length = 0;
        while (length < digits.Length && length < 9 && char.IsAsciiDigit((char)digits[length])) id = id * 10 + (digits[length++] - '0');
        return length > 0 && length < digits.Length && digits[length] == '"' ? id : null;
    }
}
