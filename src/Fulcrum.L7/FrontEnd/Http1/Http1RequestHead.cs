using System.Buffers;
using System.Text;
using Fulcrum.L7.BackendHttp;
using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// One request head as <see cref="Http1HeadParser"/> read it, checked against RFC 9112's framing rules. One per
/// connection, cleared per request. The header fields stay bytes (a copy of the head, and where each line's name and
/// value are) with the filters' edits beside them, so a request whose headers nobody reads as a dictionary goes to
/// the backend as edited bytes; the first use of <see cref="Headers"/> builds the dictionary the parser used to, with
/// the edits replayed on it, and from then on the dictionary is the head.
/// </summary>
internal sealed class Http1RequestHead : IRequestFieldBytes
{
    private readonly HeaderDictionary _headers = new();
    private Http1Field[] _fields = new Http1Field[16];
    private byte[] _raw = [];
    private int _rawLength;
    private bool _materialised;

    public string Method { get; set; } = "";
    /// <summary>The request target as sent (origin-form, or absolute-form, or `*`).</summary>
    public string Target { get; set; } = "";
    /// <summary>The target's path (origin-form; the path part of absolute-form), still percent-encoded.</summary>
    public string RawPath { get; set; } = "";
    /// <summary>The target's query with its `?`, or empty.</summary>
    public string RawQuery { get; set; } = "";
    public bool Http10 { get; set; }
    /// <summary>The previous request's target and Host on this connection (kept across <see cref="Clear"/>), for reuse.</summary>
    public string? LastTarget { get; set; }
    public string? LastHost { get; set; }
    public string? Host { get; set; }
    public Http1BodyFraming Framing { get; set; }
    public long ContentLength { get; set; }
    /// <summary>False after `Connection: close`, or for HTTP/1.0 without `Connection: keep-alive`.</summary>
    public bool KeepAlive { get; set; }
    /// <summary>`Expect: 100-continue` on a request with a body.</summary>
    public bool ExpectContinue { get; set; }
    /// <summary>The request asks to switch protocols (`Upgrade` named in `Connection`); this front end does not.</summary>
    public bool Upgrade { get; set; }

    // The fields the framing checks read, as strings (they are few and short); repeated ones concatenated.
    public StringValues HostField;
    public StringValues ContentLengthField;
    public StringValues TransferEncodingField;
    public StringValues ConnectionField;
    public StringValues ExpectField;

    /// <summary>Cookie came on more than one line: HTTP/1.1 wants them joined, which the dictionary's writer does.</summary>
    public bool RepeatedCookie { get; set; }
    public bool CookieSeen { get; set; }

    public int FieldCount { get; private set; }

    /// <summary>The filters' edits while the head is bytes.</summary>
    public FieldEdits Edits { get; } = new();

    /// <summary>The request's headers as a dictionary, built on first use (the edits so far replayed on it).</summary>
    public HeaderDictionary Headers
    {
        get
        {
            if (!_materialised) Materialise();
            return _headers;
        }
    }

    /// <summary>True while the head is bytes (no one has asked for <see cref="Headers"/>).</summary>
    public bool IsBytes => !_materialised;

    public void Clear()
    {
        Method = Target = RawPath = RawQuery = "";
        Http10 = false;
        _headers.Clear();
        _materialised = false;
        _fields.AsSpan(0, FieldCount).Clear();
        FieldCount = 0;
        _rawLength = 0;
        Edits.Clear();
        HostField = ContentLengthField = TransferEncodingField = ConnectionField = ExpectField = default;
        RepeatedCookie = CookieSeen = false;
        Host = null;
        Framing = Http1BodyFraming.None;
        ContentLength = 0;
        KeepAlive = true;
        ExpectContinue = false;
        Upgrade = false;
    }

    /// <summary>Records one field line; offsets are into the data the parser reads, kept by <see cref="Keep"/>.</summary>
    public void AddField(in Http1Field field)
    {
        if (FieldCount == _fields.Length) Array.Resize(ref _fields, FieldCount * 2);
        _fields[FieldCount++] = field;
    }

    /// <summary>Keeps a copy of the head's bytes, which the field offsets point into (the read buffer moves on).</summary>
    public void Keep(ReadOnlySpan<byte> head)
    {
        if (_raw.Length < head.Length)
        {
            ReturnRaw();
            _raw = ArrayPool<byte>.Shared.Rent(Math.Max(head.Length, 512));
        }

        head.CopyTo(_raw);
        _rawLength = head.Length;
    }

    /// <summary>Lets the head's copy go back to the pool (the request is over); the head reads as fieldless until the next.</summary>
    public void Release()
    {
        if (!_materialised) _materialised = true; // nothing to build from any more
        _fields.AsSpan(0, FieldCount).Clear();
        FieldCount = 0;
        ReturnRaw();
    }

    private void ReturnRaw()
    {
        if (_raw.Length > 0) ArrayPool<byte>.Shared.Return(_raw);
        _raw = [];
        _rawLength = 0;
    }

    // ---- reads and edits while the head is bytes ----

    public StringValues Get(string name)
    {
        if (_materialised) return _headers[name];
        var edit = Edits.IndexOf(name);
        if (edit >= 0) return Edits.ValueAt(edit);
        StringValues values = default;
        var raw = _raw.AsSpan(0, _rawLength);
        for (var i = 0; i < FieldCount; i++)
        {
            ref readonly var field = ref _fields[i];
            if (!field.Is(raw, name)) continue;
            values = StringValues.Concat(values, field.Value(raw));
        }

        return values;
    }

    public bool Contains(string name)
    {
        if (_materialised) return _headers.ContainsKey(name);
        var edit = Edits.IndexOf(name);
        if (edit >= 0) return Edits.ValueAt(edit).Count > 0;
        var raw = _raw.AsSpan(0, _rawLength);
        for (var i = 0; i < FieldCount; i++)
        {
            if (_fields[i].Is(raw, name)) return true;
        }

        return false;
    }

    public void Set(string name, StringValues value)
    {
        if (_materialised) _headers[name] = value;
        else Edits.Set(name, value);
    }

    public bool Remove(string name)
    {
        if (_materialised) return _headers.Remove(name);
        // Nothing there (or removed already): nothing to record.
        if (!Contains(name)) return false;
        Edits.Set(name, StringValues.Empty);
        return true;
    }

    // What the parser used to build, field by field: interned known names, ASCII values, repeats concatenated.
    private void Materialise()
    {
        _materialised = true;
        var raw = _raw.AsSpan(0, _rawLength);
        for (var i = 0; i < FieldCount; i++)
        {
            ref readonly var field = ref _fields[i];
            var key = field.Known ?? Encoding.ASCII.GetString(raw.Slice(field.NameStart, field.NameLength));
            var text = field.Value(raw);
            _headers[key] = _headers.TryGetValue(key, out var existing) ? StringValues.Concat(existing, text) : new StringValues(text);
        }

        Edits.ApplyTo(_headers);
        Edits.Clear();
    }

    // ---- the backend leg's view (IRequestFieldBytes) ----

    public int FieldsLength
    {
        get
        {
            // A line is written as `Name: value` CRLF: at most one byte more than it came (`Name:value`).
            var length = 0;
            for (var i = 0; i < FieldCount; i++) length += _fields[i].NameLength + _fields[i].ValueLength + 4;
            return length;
        }
    }

    public int WriteFields(Span<byte> destination, out bool hasHost)
    {
        hasHost = false;
        var raw = _raw.AsSpan(0, _rawLength);
        var at = 0;
        for (var i = 0; i < FieldCount; i++)
        {
            ref readonly var field = ref _fields[i];
            var name = raw.Slice(field.NameStart, field.NameLength);
            if (field.Known is { } known ? HeaderNames.IsHopByHop(known) : HeaderNames.IsHopByHop(name)) continue;
            if (Edits.Count > 0 && Edits.IndexOf(name) >= 0) continue;
            if (field.Known is { } spelled)
            {
                if (spelled.Length == 4 && string.Equals(spelled, HeaderNames.Host, StringComparison.Ordinal)) hasHost = true;
                at += Encoding.ASCII.GetBytes(spelled, destination[at..]);
            }
            else
            {
                name.CopyTo(destination[at..]);
                at += name.Length;
            }

            destination[at++] = (byte)':';
            destination[at++] = (byte)' ';
            raw.Slice(field.ValueStart, field.ValueLength).CopyTo(destination[at..]);
            at += field.ValueLength;
            destination[at++] = (byte)'\r';
            destination[at++] = (byte)'\n';
        }

        return at;
    }
}
