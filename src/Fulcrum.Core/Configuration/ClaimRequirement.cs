using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// One entry of `auth.jwt.require`: the verified token must carry <see cref="Claim"/>, and when <see cref="Values"/> is
/// not empty, one of them (an array claim, or the space-separated `scope` of RFC 8693, matches when any element does).
/// </summary>
public sealed record ClaimRequirement(string Claim, ImmutableArray<string> Values);
