using System.CommandLine;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Commands;

/// <summary>
/// `fulcrum cert self-signed --name N [--name M] --out DIR [--days D]`: a certificate for local use.
/// `fulcrum cert show -c FILE --listener NAME [--server-name NAME]`: the certificate a listener serves for a name.
/// </summary>
public static class CertCommand
{
    public static Command Create()
    {
        var names = new Option<string[]>("--name") { Description = "A DNS name (or IP) for the certificate; repeat for more. The first is the subject.", Required = true, AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--out") { Description = "Directory to write NAME.pem and NAME.key into.", Required = true };
        var days = new Option<int>("--days") { Description = "Validity in days (default 365).", DefaultValueFactory = _ => 365 };
        var selfSigned = new Command("self-signed", "Make a self-signed ECDSA P-256 certificate and key (PEM) for local use.") { names, output, days };
        selfSigned.SetAction(parsed => SelfSigned(parsed.GetRequiredValue(names), parsed.GetRequiredValue(output), parsed.GetValue(days), Console.Out, Console.Error));

        var config = CommonOptions.Config();
        var listener = new Option<string>("--listener") { Description = "The https listener's name.", Required = true };
        var serverName = new Option<string?>("--server-name") { Description = "The SNI name a client sends; omit for a client that sends none." };
        var show = new Command("show", "Show which certificate an https listener serves for a server name (reads the config; no server needed).") { config, listener, serverName };
        show.SetAction(parsed => Show(parsed.GetRequiredValue(config), parsed.GetRequiredValue(listener), parsed.GetValue(serverName), Console.Out, Console.Error));

        return new Command("cert", "Certificate helpers for https listeners.") { selfSigned, show };
    }

    public static int SelfSigned(string[] names, string directory, int days, TextWriter output, TextWriter errors)
    {
        if (names.Length == 0 || days <= 0)
        {
            errors.WriteLine("fulcrum cert self-signed: needs at least one --name and --days above 0");
            return ExitCodes.BadUsage;
        }

        using var certificate = SelfSignedCertificate.Create(names, TimeSpan.FromDays(days), DateTimeOffset.UtcNow);
        var fileName = names[0].Replace("*", "wildcard", StringComparison.Ordinal);
        var (cert, key) = SelfSignedCertificate.WritePem(certificate, directory, fileName);
        output.WriteLine($"wrote {cert} and {key}: {string.Join(", ", names)}, valid until {certificate.NotAfter.ToUniversalTime():u}");
        output.WriteLine("  tls:");
        output.WriteLine("    certificates:");
        output.WriteLine($"      - {{ cert: {cert}, key: {key} }}");
        return ExitCodes.Success;
    }

    public static int Show(string path, string listenerName, string? serverName, TextWriter output, TextWriter errors)
    {
        var loaded = ConfigLoader.LoadFile(path);
        if (!loaded.IsValid)
        {
            ValidateCommand.WriteErrors(loaded, errors);
            return ExitCodes.BadUsage;
        }

        var config = loaded.Config!;
        var listener = config.Listeners.FirstOrDefault(l => l.Name == listenerName);
        if (listener is null || listener.Protocol != ListenerProtocol.Https)
        {
            errors.WriteLine($"{path}: no https listener named '{listenerName}'");
            return ExitCodes.BadUsage;
        }

        var problems = new List<ConfigError>();
        using var tls = ListenerTls.Create(listener, TlsConfigCheck.BaseDirectoryOf(config), TimeProvider.System, NullLogger.Instance, problems);
        if (tls is null)
        {
            foreach (var problem in problems) errors.WriteLine(problem.ToString());
            return ExitCodes.BadUsage;
        }

        var chosen = tls.Certificates.Select(serverName);
        var leaf = chosen.Leaf;
        output.WriteLine($"listener:    {listenerName}");
        output.WriteLine($"server name: {serverName ?? "(none: the default certificate)"}");
        output.WriteLine($"certificate: {chosen.Config.Cert}{(ReferenceEquals(chosen, tls.Certificates.Default) ? " (default)" : "")}");
        output.WriteLine($"subject:     {leaf.Subject}");
        output.WriteLine($"names:       {string.Join(", ", chosen.Names)}");
        output.WriteLine($"issuer:      {leaf.Issuer}");
        output.WriteLine($"valid:       {leaf.NotBefore.ToUniversalTime():u} to {leaf.NotAfter.ToUniversalTime():u}");
        output.WriteLine($"sha1:        {leaf.Thumbprint}");
        return ExitCodes.Success;
    }
}
