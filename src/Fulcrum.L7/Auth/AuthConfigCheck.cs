using Fulcrum.Core.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace Fulcrum.L7.Auth;

/// <summary>
/// The file checks `fulcrum validate`, `run` and every reload add to the parser's for `auth`: each htpasswd file reads
/// and holds only bcrypt hashes, each JWKS file is a key set with a usable signing key; reported at the key that names
/// the file. A JWKS URL is not fetched here (validating must not depend on the network): a provider that is down at
/// start leaves the route refusing tokens with `no-keys` until it answers.
/// </summary>
public static class AuthConfigCheck
{
    public static IReadOnlyList<ConfigError> Check(FulcrumConfig config)
    {
        var errors = new List<ConfigError>();
        var directory = Tls.TlsConfigCheck.BaseDirectoryOf(config);
        foreach (var listener in config.Listeners)
        {
            foreach (var route in listener.Routes)
            {
                if (route.Auth?.Basic is { } basic) Htpasswd.Load(Path.GetFullPath(basic.Htpasswd, directory), basic.HtpasswdLocation, errors);
                if (route.Auth?.Jwt is { JwksIsUrl: false } jwt) CheckJwksFile(Path.GetFullPath(jwt.Jwks, directory), jwt.JwksLocation, errors);
            }
        }

        return errors;
    }

    private static void CheckJwksFile(string path, SourceLocation location, List<ConfigError> errors)
    {
        try
        {
            if (new JsonWebKeySet(File.ReadAllText(path)).GetSigningKeys().Count == 0)
                errors.Add(new ConfigError(location, $"JWKS file '{path}' has no signing key Fulcrum can use (RSA, EC or oct)"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ConfigError(location, $"JWKS file '{path}' cannot be read: {e.Message}"));
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException)
        {
            errors.Add(new ConfigError(location, $"JWKS file '{path}' is not a JSON Web Key Set (RFC 7517 section 5): {e.Message}"));
        }
    }
}
