using LkmKit.Formats.Signatures;

namespace LkmKit.Formats.Tests;

/// <summary>The verifier agrees with <c>openssl cms -verify</c> on every fixture module, intact and with a changed byte.</summary>
public class SignatureOpensslOracleTests
{
    public static TheoryData<string, string> Modules => new()
    {
        { "rsa2048-sha1", "rsa2048" },
        { "rsa2048-sha256", "rsa2048" },
        { "rsa4096-sha384", "rsa4096" },
        { "rsa4096-sha512", "rsa4096" },
        { "ec256-sha256", "ec256" },
        { "ec384-sha384", "ec384" },
        { "rsa2048-attrs", "rsa2048" },
        { "other-sha256", "other" },
    };

    [SkippableTheory]
    [MemberData(nameof(Modules))]
    public void VerifierAgreesWithOpenssl(string module, string key)
    {
        ExternalTool.Require("openssl");
        byte[] bytes = File.ReadAllBytes(SignatureFixtures.Module(module));
        var trusted = SignatureFixtures.Trust(key);
        Assert.Equal(0, ModuleSignerTests.OpensslCmsVerify(bytes, key));
        Assert.True(ModuleSignatureVerifier.Verify(bytes, module, trusted).IsOk);

        bytes[0x200] ^= 0x10;
        Assert.NotEqual(0, ModuleSignerTests.OpensslCmsVerify(bytes, key));
        Assert.Equal(ModuleSignatureStatus.Bad, ModuleSignatureVerifier.Verify(bytes, module, trusted).Status);
    }
}
