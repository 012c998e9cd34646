using System.Text.Json;

namespace LkmKit.Cli.Tests;

/// <summary><c>lkm verify</c> and <c>lkm sign</c> on the committed signature fixtures.</summary>
public class VerifySignCommandTests
{
    private static string Module(string name) => RepoPaths.TestData("signatures", "modules", $"min.{name}.ko");

    private static string Cert(string key, string ext = "pem") => RepoPaths.TestData("signatures", "keys", $"{key}.crt.{ext}");

    private static string Key(string key) => RepoPaths.TestData("signatures", "keys", $"{key}.key.pem");

    private static string Kernel(string name) => RepoPaths.TestData("signatures", "kernel", name);

    [Fact]
    public void JsonLinesCarryEveryStatusAndTheBatchCarriesOnPastABadFile()
    {
        string missing = RepoPaths.TestData("signatures", "modules", "does-not-exist.ko");
        var (code, stdout, stderr) = CliRunner.Run("verify", "--json", "--cert", Cert("rsa2048"), "--cert", Cert("ec256", "der"),
            Module("rsa2048-sha256"), Module("ec256-sha256"), Module("rsa4096-sha512"), Module("unsigned"), missing, Module("rsa2048-attrs"));
        Assert.Equal(1, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(["ok", "ok", "nokey", "unsigned", "error", "ok"], lines.Select(l => l.GetProperty("status").GetString()));
        foreach (var line in lines)
        {
            Assert.Equal(["path", "status", "reason", "signer", "keyId", "hashAlgorithm"], line.EnumerateObject().Select(p => p.Name));
        }

        Assert.Equal("LkmKit test RSA-2048", lines[0].GetProperty("signer").GetString());
        Assert.Equal("sha256", lines[0].GetProperty("hashAlgorithm").GetString());
        Assert.Matches("^([0-9A-F]{2}:)+[0-9A-F]{2}$", lines[0].GetProperty("keyId").GetString());
        Assert.Equal(JsonValueKind.Null, lines[0].GetProperty("reason").ValueKind);
        Assert.Equal("sha512", lines[2].GetProperty("hashAlgorithm").GetString());
        Assert.Contains("does-not-exist.ko", stderr);
        Assert.Contains("does-not-exist.ko", lines[4].GetProperty("reason").GetString());
    }

    [Fact]
    public void AllOkExitsZeroAndPrintsOneLinePerModule()
    {
        var (code, stdout, _) = CliRunner.Run("verify", "--kernel", Kernel("Image-arm64.gz"), "--system-map", Kernel("System.map-arm64"),
            Module("rsa4096-sha384"), Module("ec384-sha384"));
        Assert.Equal(0, code);
        Assert.Equal(2, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("<repo>/testdata/signatures/modules/min.rsa4096-sha384.ko: ok [signer \"LkmKit test RSA-4096\", key ", stdout);
    }

    [Fact]
    public void ChangedModuleIsBadWithTheReason()
    {
        string copy = Path.Combine(Path.GetTempPath(), $"lkmkit-verify-{Guid.NewGuid():N}.ko");
        byte[] bytes = File.ReadAllBytes(Module("rsa2048-sha256"));
        bytes[0x300] ^= 4;
        File.WriteAllBytes(copy, bytes);
        try
        {
            var (code, stdout, _) = CliRunner.Run("verify", "--kernel", Kernel("bzImage-gzip"), copy);
            Assert.Equal(1, code);
            Assert.Contains(": bad: digest mismatch: ", stdout);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void UsageErrors()
    {
        Assert.Equal(2, CliRunner.Run("verify", Module("unsigned")).Code);
        Assert.Equal(2, CliRunner.Run("verify", "--system-map", Kernel("System.map-x86_64"), "--cert", Cert("rsa2048"), Module("unsigned")).Code);
        var (code, _, stderr) = CliRunner.Run("verify", "--cert", Module("unsigned"), Module("unsigned"));
        Assert.Equal(2, code);
        Assert.Contains("not a PEM or DER X.509 certificate", stderr);
        Assert.Equal(2, CliRunner.Run("verify", "--cert", Cert("rsa2048")).Code);
    }

    [Fact]
    public void ListCertsPrintsTheImagesCertificates()
    {
        var (code, stdout, _) = CliRunner.Run("verify", "--kernel", Kernel("bzImage-xz"), "--list-certs");
        Assert.Equal(0, code);
        Assert.Equal(2, stdout.Split('\n').Count(line => line.StartsWith("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)));
        Assert.Contains("# subject: CN=LkmKit test RSA-2048, O=LkmKit", stdout);
        Assert.Contains("# subject: CN=LkmKit test ECDSA P-256, O=LkmKit", stdout);
    }

    [Fact]
    public void SignThenVerifyAndRefuseToSignTwice()
    {
        string directory = Directory.CreateTempSubdirectory("lkmkit-sign-cli-").FullName;
        try
        {
            string input = Path.Combine(directory, "min.ko");
            string output = Path.Combine(directory, "signed.ko");
            File.Copy(Module("unsigned"), input);

            Assert.Equal(0, CliRunner.Run("sign", "--key", Key("rsa2048"), "--cert", Cert("rsa2048", "der"), input, "-o", output).Code);
            Assert.Equal(File.ReadAllBytes(Module("rsa2048-sha256")), File.ReadAllBytes(output));
            Assert.Equal(0, CliRunner.Run("verify", "--cert", Cert("rsa2048"), output).Code);

            var (code, _, stderr) = CliRunner.Run("sign", "--key", Key("ec384"), "--cert", Cert("ec384"), output);
            Assert.Equal(1, code);
            Assert.Contains("already signed", stderr);
            Assert.Contains("--replace", stderr);

            Assert.Equal(0, CliRunner.Run("sign", "--hash", "sha384", "--key", Key("ec384"), "--cert", Cert("ec384"), "--replace", output).Code);
            var (verifyCode, verifyOut, _) = CliRunner.Run("verify", "--json", "--cert", Cert("ec384"), output);
            Assert.Equal(0, verifyCode);
            Assert.Contains("\"hashAlgorithm\":\"sha384\"", verifyOut);

            Assert.Equal(2, CliRunner.Run("sign", "--hash", "md5", "--key", Key("rsa2048"), "--cert", Cert("rsa2048"), input).Code);
            Assert.Equal(1, CliRunner.Run("sign", "--key", Key("rsa2048"), "--cert", Cert("rsa4096"), input).Code);
            Assert.Equal(File.ReadAllBytes(Module("unsigned")), File.ReadAllBytes(input));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
