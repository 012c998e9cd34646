using System.Buffers.Binary;
using System.Security.Cryptography;
using LkmKit.Formats.Signatures;

namespace LkmKit.Formats.Tests;

/// <summary>
/// lkm's signer against the kernel's scripts/sign-file: the committed sign-file outputs are reproduced byte for byte
/// (RSA PKCS#1 v1.5 is deterministic), a live sign-file run is compared when the tool is installed, and openssl
/// cms accepts what the signer writes.
/// </summary>
public class ModuleSignerTests
{
    private const string SignFile = "/usr/lib/linux-kbuild-6.1/scripts/sign-file";

    public static TheoryData<string, string> RsaFixtures => new()
    {
        { "rsa2048", "sha1" },
        { "rsa2048", "sha256" },
        { "rsa4096", "sha384" },
        { "rsa4096", "sha512" },
    };

    private static HashAlgorithmName Hash(string name) => new(name.ToUpperInvariant());

    private static byte[] Unsigned => File.ReadAllBytes(SignatureFixtures.Module("unsigned"));

    [Theory]
    [MemberData(nameof(RsaFixtures))]
    public void RsaSignatureIsByteIdenticalToTheCommittedSignFileOutput(string key, string hash)
    {
        using var signingKey = ModuleSigningKey.Load(SignatureFixtures.Key(key), SignatureFixtures.Certificate(key));
        byte[] signed = ModuleSigner.Sign(Unsigned, "min.ko", signingKey, Hash(hash));
        Assert.Equal(File.ReadAllBytes(SignatureFixtures.Module($"{key}-{hash}")), signed);
    }

    [SkippableTheory]
    [InlineData("rsa2048", "sha1")]
    [InlineData("rsa2048", "sha384")]
    [InlineData("rsa4096", "sha256")]
    [InlineData("rsa4096", "sha512")]
    public void RsaSignatureIsByteIdenticalToALiveSignFileRun(string key, string hash)
    {
        Skip.IfNot(File.Exists(SignFile), $"oracle tool {SignFile} is not installed (Debian package linux-kbuild-6.1)");
        string copy = Path.Combine(Path.GetTempPath(), $"lkmkit-sign-{Guid.NewGuid():N}.ko");
        File.Copy(SignatureFixtures.Module("unsigned"), copy);
        try
        {
            var (code, _) = ExternalTool.Run(SignFile, hash, SignatureFixtures.Key(key), SignatureFixtures.Certificate(key, "der"), copy);
            Assert.Equal(0, code);
            using var signingKey = ModuleSigningKey.Load(SignatureFixtures.Key(key), SignatureFixtures.Certificate(key, "der"));
            Assert.Equal(File.ReadAllBytes(copy), ModuleSigner.Sign(Unsigned, "min.ko", signingKey, Hash(hash)));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Theory]
    [InlineData("ec256", "sha256")]
    [InlineData("ec384", "sha384")]
    [InlineData("ec384", "sha512")]
    public void EcdsaSignatureHasSignFilesShapeAndVerifies(string key, string hash)
    {
        using var signingKey = ModuleSigningKey.Load(SignatureFixtures.Key(key), SignatureFixtures.Certificate(key));
        byte[] signed = ModuleSigner.Sign(Unsigned, "min.ko", signingKey, Hash(hash));
        Assert.True(ModuleSignatureVerifier.Verify(signed, "min.ko", SignatureFixtures.Trust(key)).IsOk);

        // Everything but the (randomised) ECDSA value matches sign-file's blob for the same key and hash.
        if (File.Exists(SignatureFixtures.Module($"{key}-{hash}")))
        {
            byte[] reference = File.ReadAllBytes(SignatureFixtures.Module($"{key}-{hash}"));
            var ours = Signer(signed);
            var theirs = Signer(reference);
            Assert.Equal(theirs.DigestAlgorithmOid, ours.DigestAlgorithmOid);
            Assert.Equal(theirs.SignatureAlgorithmOid, ours.SignatureAlgorithmOid);
            Assert.Equal(theirs.Issuer, ours.Issuer);
            Assert.Equal(theirs.SerialNumber, ours.SerialNumber);
            Assert.Null(ours.SignedAttributes);
        }
    }

    [SkippableTheory]
    [InlineData("rsa2048", "sha256")]
    [InlineData("rsa4096", "sha512")]
    [InlineData("ec256", "sha256")]
    [InlineData("ec384", "sha384")]
    public void OpensslCmsAcceptsWhatTheSignerWrites(string key, string hash)
    {
        ExternalTool.Require("openssl");
        using var signingKey = ModuleSigningKey.Load(SignatureFixtures.Key(key), SignatureFixtures.Certificate(key));
        byte[] signed = ModuleSigner.Sign(Unsigned, "min.ko", signingKey, Hash(hash));
        Assert.Equal(0, OpensslCmsVerify(signed, key));
        signed[0x100] ^= 1;
        Assert.NotEqual(0, OpensslCmsVerify(signed, key));
    }

    [Fact]
    public void AlreadySignedModuleIsRefusedUnlessReplacing()
    {
        using var signingKey = ModuleSigningKey.Load(SignatureFixtures.Key("rsa2048"), SignatureFixtures.Certificate("rsa2048"));
        byte[] signedByOther = File.ReadAllBytes(SignatureFixtures.Module("rsa4096-sha512"));
        var e = Assert.Throws<ModuleFormatException>(() => ModuleSigner.Sign(signedByOther, "x.ko", signingKey, HashAlgorithmName.SHA256));
        Assert.Contains("already signed", e.Message);
        Assert.Contains("--replace", e.Message);

        byte[] replaced = ModuleSigner.Sign(signedByOther, "x.ko", signingKey, HashAlgorithmName.SHA256, replaceSignature: true);
        Assert.Equal(File.ReadAllBytes(SignatureFixtures.Module("rsa2048-sha256")), replaced);
    }

    [Fact]
    public void CompressedOrNonElfInputIsRefused()
    {
        using var signingKey = ModuleSigningKey.Load(SignatureFixtures.Key("rsa2048"), SignatureFixtures.Certificate("rsa2048"));
        byte[] xz = File.ReadAllBytes(RepoPaths.Linux("x86_64", "lkmdemo_core.signed.ko.xz"));
        Assert.Contains("compressed", Assert.Throws<ModuleFormatException>(() => ModuleSigner.Sign(xz, "m.ko.xz", signingKey, HashAlgorithmName.SHA256)).Message);
        byte[] text = "hello"u8.ToArray();
        Assert.Contains("not an ELF", Assert.Throws<ModuleFormatException>(() => ModuleSigner.Sign(text, "t", signingKey, HashAlgorithmName.SHA256)).Message);
    }

    [Fact]
    public void KeyThatIsNotTheCertificatesIsRefused()
    {
        var e = Assert.Throws<ModuleFormatException>(() => ModuleSigningKey.Load(SignatureFixtures.Key("other"), SignatureFixtures.Certificate("rsa2048")));
        Assert.Contains("does not belong to the certificate", e.Message);
        Assert.Throws<ModuleFormatException>(() => ModuleSigningKey.Load(SignatureFixtures.Key("ec256"), SignatureFixtures.Certificate("rsa2048")));
    }

    [Fact]
    public void SignFileWritesInPlaceOrToOutputWithoutLeavingTemporaries()
    {
        string directory = Directory.CreateTempSubdirectory("lkmkit-sign-").FullName;
        try
        {
            string module = Path.Combine(directory, "min.ko");
            File.Copy(SignatureFixtures.Module("unsigned"), module);
            using var signingKey = ModuleSigningKey.Load(SignatureFixtures.Key("rsa2048"), SignatureFixtures.Certificate("rsa2048"));

            string output = Path.Combine(directory, "out.ko");
            ModuleSigner.SignFile(module, output, signingKey, HashAlgorithmName.SHA256);
            Assert.Equal(Unsigned, File.ReadAllBytes(module));
            Assert.Equal(File.ReadAllBytes(SignatureFixtures.Module("rsa2048-sha256")), File.ReadAllBytes(output));

            ModuleSigner.SignFile(module, null, signingKey, HashAlgorithmName.SHA1);
            Assert.Equal(File.ReadAllBytes(SignatureFixtures.Module("rsa2048-sha1")), File.ReadAllBytes(module));
            Assert.Throws<ModuleFormatException>(() => ModuleSigner.SignFile(module, null, signingKey, HashAlgorithmName.SHA1));
            Assert.Equal(["min.ko", "out.ko"], Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Pkcs7SignerInfo Signer(byte[] module)
    {
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(module.AsSpan(module.Length - 32));
        int start = module.Length - 40 - length;
        return Pkcs7SignedData.Decode(module.AsSpan(start, length), start, "m.ko", "module signature").Signer!;
    }

    // openssl cms -verify on the detached blob, with the key's certificate as the only one it may use and no chain
    // check (the kernel trusts the keyring's certificates directly); returns openssl's exit code.
    internal static int OpensslCmsVerify(byte[] module, string key)
    {
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(module.AsSpan(module.Length - 32));
        int start = module.Length - 40 - length;
        string blob = Path.GetTempFileName(), content = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(blob, module.AsSpan(start, length).ToArray());
            File.WriteAllBytes(content, module.AsSpan(0, start).ToArray());
            return ExternalTool.Run("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", blob, "-content", content,
                "-certfile", SignatureFixtures.Certificate(key), "-nointern", "-noverify", "-out", "/dev/null").ExitCode;
        }
        finally
        {
            File.Delete(blob);
            File.Delete(content);
        }
    }
}
