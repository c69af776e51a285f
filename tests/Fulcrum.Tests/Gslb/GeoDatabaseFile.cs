using System.Diagnostics;

namespace Fulcrum.Tests.Gslb;

/// <summary>
/// Writes a small MaxMind DB file with Debian's MaxMind::DB::Writer (libmaxmind-db-writer-perl), in GeoLite2-Country's
/// layout (country.iso_code, continent.code), so the tests read the same format as a real database and download nothing.
/// </summary>
public static class GeoDatabaseFile
{
    private const string Writer = """
        use strict; use warnings;
        use MaxMind::DB::Writer::Tree;
        my ($out, @entries) = @ARGV;
        my %types = (continent => 'map', country => 'map', code => 'utf8_string', iso_code => 'utf8_string');
        my $tree = MaxMind::DB::Writer::Tree->new(
          ip_version => 6, record_size => 24, database_type => 'Fulcrum-Test-Country', languages => ['en'],
          description => { en => 'Fulcrum tests' }, map_key_type_callback => sub { $types{ $_[0] } },
          remove_reserved_networks => 0);
        for my $entry (@entries) {
          my ($cidr, $country, $continent) = split /,/, $entry;
          $tree->insert_network($cidr, { country => { iso_code => $country }, continent => { code => $continent } });
        }
        open my $fh, '>:raw', $out or die "cannot write $out: $!"; $tree->write_tree($fh); close $fh;
        """;

    /// <summary>Each entry is a CIDR block, its country and its continent.</summary>
    public static void Write(string path, params (string Cidr, string Country, string Continent)[] networks)
    {
        var script = path + ".pl";
        File.WriteAllText(script, Writer);
        var info = new ProcessStartInfo("perl") { RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(path);
        foreach (var (cidr, country, continent) in networks) info.ArgumentList.Add($"{cidr},{country},{continent}");
        using var perl = Process.Start(info)!;
        var errors = perl.StandardError.ReadToEnd();
        perl.WaitForExit();
        Assert.True(perl.ExitCode == 0 && File.Exists(path), $"perl could not write {path} (is libmaxmind-db-writer-perl installed?): {errors}");
    }
}
