using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Fulcrum.Core.Affinity;

/// <summary>
/// The value of an affinity cookie: HMAC-SHA256(secret, pool + "\n" + backend id), cut to 128 bits and
/// written as base64url (22 characters). It says nothing about the backend's address, it is the same on every
/// instance with the same config and after a reload, and without the secret it cannot be made for another
/// backend. Truncating an HMAC to 128 bits keeps it unforgeable for this use (RFC 2104 section 5).
/// </summary>
public static class CookieToken
{
    private const int TokenBytes = 16;

    /// <summary>The HMAC key: the configured secret, else one derived from the pool name (see <see cref="Configuration.AffinityConfig.Secret"/>).</summary>
    public static byte[] KeyFor(string pool, string? secret) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(secret is null ? "fulcrum-affinity:" + pool : "fulcrum-affinity-secret:" + secret));

    public static string Compute(byte[] key, string pool, string backendId)
    {
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(pool + "\n" + backendId));
        return Base64Url.EncodeToString(mac.AsSpan(0, TokenBytes));
    }
}
