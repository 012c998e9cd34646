using System.Buffers.Binary;
using LkmKit.Formats.Signatures;

namespace LkmKit.Formats.Tests;

/// <summary>Every verification status and failure on modules signed by the kernel's sign-file and by openssl cms.</summary>
public class ModuleSignatureVerifierTests
{
    public static TheoryData<string, string, string> SignedModules => new()
    {
        { "rsa2048-sha1", "rsa2048", "sha1" },
        { "rsa2048-sha256", "rsa2048", "sha256" },
        { "rsa4096-sha384", "rsa4096", "sha384" },
        { "rsa4096-sha512", "rsa4096", "sha512" },
        { "ec256-sha256", "ec256", "sha256" },
        { "ec384-sha384", "ec384", "sha384" },
        { "rsa2048-attrs", "rsa2048", "sha256" },
    };

    [Theory]
    [MemberData(nameof(SignedModules))]
    public void SignedModuleVerifiesWithItsCertificate(string module, string key, string hash)
    {
        var result = ModuleSignatureVerifier.Verify(SignatureFixtures.Module(module), SignatureFixtures.Trust("other", key));
        Assert.Equal(ModuleSignatureStatus.Ok, result.Status);
        Assert.True(result.IsOk);
        Assert.Null(result.Reason);
        Assert.Equal(hash, result.HashAlgorithm);
        Assert.StartsWith("LkmKit test", result.Signer);
        Assert.NotNull(result.Certificate);
        Assert.Equal(ModuleSignatureVerifier.FormatKeyId(result.Certificate!.SerialNumberBytes.Span.TrimStart((byte)0)), result.KeyId);
    }

    [Theory]
    [MemberData(nameof(SignedModules))]
    public void DerCertificateFileWorksLikePem(string module, string key, string hash)
    {
        _ = hash;
        var trusted = new TrustedCertificateSet();
        Assert.Equal(1, trusted.AddFile(SignatureFixtures.Certificate(key, "der")));
        Assert.True(ModuleSignatureVerifier.Verify(SignatureFixtures.Module(module), trusted).IsOk);
    }

    [Theory]
    [MemberData(nameof(SignedModules))]
    public void OtherCertificateGivesNoKey(string module, string key, string hash)
    {
        _ = (key, hash);
        var result = ModuleSignatureVerifier.Verify(SignatureFixtures.Module(module), SignatureFixtures.Trust("other"));
        Assert.Equal(ModuleSignatureStatus.NoKey, result.Status);
        Assert.Contains("no trusted certificate matches the signer", result.Reason);
        Assert.Null(result.Certificate);
    }

    [Fact]
    public void UnsignedModule()
    {
        var result = ModuleSignatureVerifier.Verify(SignatureFixtures.Module("unsigned"), SignatureFixtures.Trust("rsa2048"));
        Assert.Equal(ModuleSignatureStatus.Unsigned, result.Status);
        Assert.Null(result.Signer);
    }

    [Theory]
    [InlineData("rsa2048-sha256", "rsa2048", ModuleSignatureFailure.DigestMismatch)]
    [InlineData("rsa4096-sha512", "rsa4096", ModuleSignatureFailure.DigestMismatch)]
    [InlineData("rsa2048-attrs", "rsa2048", ModuleSignatureFailure.DigestMismatch)]
    [InlineData("ec256-sha256", "ec256", ModuleSignatureFailure.BadSignature)]
    public void ChangedByteInTheElfImageIsBad(string module, string key, ModuleSignatureFailure expected)
    {
        byte[] bytes = File.ReadAllBytes(SignatureFixtures.Module(module));
        foreach (int at in (int[])[0x40, 0x400, 0x1000])
        {
            byte[] changed = (byte[])bytes.Clone();
            changed[at] ^= 0x01;
            var result = ModuleSignatureVerifier.Verify(changed, "changed.ko", SignatureFixtures.Trust(key));
            Assert.Equal(ModuleSignatureStatus.Bad, result.Status);
            Assert.Equal(expected, result.Failure);
        }
    }

    [Theory]
    [InlineData("rsa2048-sha256", "rsa2048")]
    [InlineData("ec384-sha384", "ec384")]
    public void ChangedSignatureValueIsBadSignature(string module, string key)
    {
        byte[] bytes = File.ReadAllBytes(SignatureFixtures.Module(module));
        // The signature value is the last element of the blob, which ends 40 bytes before the end of the file.
        bytes[bytes.Length - 40 - 5] ^= 0x80;
        var result = ModuleSignatureVerifier.Verify(bytes, "changed.ko", SignatureFixtures.Trust(key));
        Assert.Equal(ModuleSignatureStatus.Bad, result.Status);
        Assert.Equal(ModuleSignatureFailure.BadSignature, result.Failure);
        Assert.StartsWith("bad signature", result.Reason);
    }

    [Fact]
    public void MalformedTrailerIsBadNotAnException()
    {
        byte[] bytes = File.ReadAllBytes(SignatureFixtures.Module("rsa2048-sha256"));
        bytes[bytes.Length - 28 - 12 + 2] = 7; // id_type
        var result = ModuleSignatureVerifier.Verify(bytes, "bad.ko", SignatureFixtures.Trust("rsa2048"));
        Assert.Equal(ModuleSignatureStatus.Bad, result.Status);
        Assert.Equal(ModuleSignatureFailure.MalformedTrailer, result.Failure);
        Assert.StartsWith("malformed trailer: bad.ko: offset 0x", result.Reason);
        Assert.Contains("unknown id_type 7", result.Reason);

        byte[] huge = File.ReadAllBytes(SignatureFixtures.Module("rsa2048-sha256"));
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(huge.Length - 32), 0x7fffffff);
        Assert.Equal(ModuleSignatureFailure.MalformedTrailer,
            ModuleSignatureVerifier.Verify(huge, "huge.ko", SignatureFixtures.Trust("rsa2048")).Failure);
    }

    [Fact]
    public void SignedDataWithoutSignerInfoIsSignerNotFound()
    {
        byte[] bytes = File.ReadAllBytes(SignatureFixtures.Module("rsa2048-sha256"));
        int sigLength = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(bytes.Length - 32));
        int elf = bytes.Length - 40 - sigLength;
        // The same SignedData with an empty signerInfos SET, re-encoded.
        var reader = new System.Formats.Asn1.AsnReader(bytes.AsMemory(elf, sigLength), System.Formats.Asn1.AsnEncodingRules.DER);
        var contentInfo = reader.ReadSequence();
        contentInfo.ReadObjectIdentifier();
        var signedData = contentInfo.ReadSequence(new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 0)).ReadSequence();
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.113549.1.7.2");
            using (writer.PushSequence(new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 0)))
            using (writer.PushSequence())
            {
                writer.WriteEncodedValue(signedData.ReadEncodedValue().Span);
                writer.WriteEncodedValue(signedData.ReadEncodedValue().Span);
                writer.WriteEncodedValue(signedData.ReadEncodedValue().Span);
                using (writer.PushSetOf())
                {
                }
            }
        }

        byte[] blob = writer.Encode();
        byte[] module = [.. bytes.AsSpan(0, elf), .. blob, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, (byte)blob.Length, .. "~Module signature appended~\n"u8];
        var result = ModuleSignatureVerifier.Verify(module, "nosigner.ko", SignatureFixtures.Trust("rsa2048"));
        Assert.Equal(ModuleSignatureStatus.Bad, result.Status);
        Assert.Equal(ModuleSignatureFailure.SignerNotFound, result.Failure);
        Assert.StartsWith("signer not found", result.Reason);
    }

    [Theory]
    [InlineData("lkmdemo_core.signed.ko.gz")]
    [InlineData("lkmdemo_core.signed.ko.xz")]
    [InlineData("lkmdemo_core.signed.ko.zst")]
    public void CompressedModulesAreCheckedAfterDecompression(string file)
    {
        var trusted = new TrustedCertificateSet();
        trusted.AddFile(RepoPaths.TestData("linux", "keys", "lkmkit-test-signing-cert.pem"));
        var result = ModuleSignatureVerifier.Verify(RepoPaths.Linux("x86_64", file), trusted);
        Assert.True(result.IsOk, result.Reason);
        Assert.Equal("LkmKit test signing key", result.Signer);
    }

    [Fact]
    public void PemWithSeveralBlocksAddsEveryCertificateAndSkipsKeys()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lkmkit-certs-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, "explanatory text\n" + File.ReadAllText(SignatureFixtures.Key("ec256")) +
            File.ReadAllText(SignatureFixtures.Certificate("ec256")) + File.ReadAllText(SignatureFixtures.Certificate("rsa4096")));
        try
        {
            var trusted = new TrustedCertificateSet();
            Assert.Equal(2, trusted.AddFile(path));
            Assert.True(ModuleSignatureVerifier.Verify(SignatureFixtures.Module("rsa4096-sha384"), trusted).IsOk);
            Assert.True(ModuleSignatureVerifier.Verify(SignatureFixtures.Module("ec256-sha256"), trusted).IsOk);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void NotACertificateFileIsAFormatError()
    {
        var trusted = new TrustedCertificateSet();
        var e = Assert.Throws<ModuleFormatException>(() => trusted.AddFile(SignatureFixtures.Module("unsigned")));
        Assert.Contains("not a PEM or DER X.509 certificate", e.Message);
        Assert.Throws<ModuleFormatException>(() => trusted.AddFile(SignatureFixtures.Key("rsa2048")));
    }
}
