using LkmKit.Formats.Signatures;

namespace LkmKit.Formats.Tests;

/// <summary>Built-in certificates found in the stand-in kernels of testdata/signatures/kernel in every image form.</summary>
public class KernelImageCertificatesTests
{
    private static byte[][] Expected(params string[] keys) =>
        [.. keys.Select(key => File.ReadAllBytes(SignatureFixtures.Certificate(key, "der")))];

    public static TheoryData<string, string?> X86Images => new()
    {
        { "bzImage-xz", null },
        { "bzImage-gzip", null },
        { "bzImage-zstd", null },
        { "bzImage-lz4", null },
        { "bzImage-xz", "System.map-x86_64" },
        { "bzImage-lz4", "System.map-x86_64" },
        { "vmlinux-x86_64", null },
        { "vmlinux-x86_64", "System.map-x86_64" },
    };

    [Theory]
    [MemberData(nameof(X86Images))]
    public void X86ImagesHoldTheRsa2048AndEc256Certificates(string image, string? map)
    {
        var found = KernelImageCertificates.Read(SignatureFixtures.Kernel(image), map is null ? null : SignatureFixtures.Kernel(map));
        Assert.Equal(Expected("rsa2048", "ec256"), found);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("System.map-arm64")]
    public void Arm64ImageHoldsTheRsa4096AndEc384Certificates(string? map)
    {
        var found = KernelImageCertificates.Read(SignatureFixtures.Kernel("Image-arm64.gz"), map is null ? null : SignatureFixtures.Kernel(map));
        Assert.Equal(Expected("rsa4096", "ec384"), found);
    }

    [Fact]
    public void ScanFindsWhatTheSymbolsDelimit()
    {
        byte[] vmlinux = File.ReadAllBytes(SignatureFixtures.Kernel("vmlinux-x86_64"));
        Assert.Equal(KernelImageCertificates.Read(SignatureFixtures.Kernel("vmlinux-x86_64"), SignatureFixtures.Kernel("System.map-x86_64")),
            KernelImageCertificates.Scan(vmlinux));
    }

    [Fact]
    public void ModulesVerifyAgainstTheImage()
    {
        var trusted = new TrustedCertificateSet();
        Assert.Equal(2, trusted.AddKernelImage(SignatureFixtures.Kernel("bzImage-zstd")));
        Assert.True(ModuleSignatureVerifier.Verify(SignatureFixtures.Module("rsa2048-sha256"), trusted).IsOk);
        Assert.True(ModuleSignatureVerifier.Verify(SignatureFixtures.Module("ec256-sha256"), trusted).IsOk);
        Assert.Equal(ModuleSignatureStatus.NoKey, ModuleSignatureVerifier.Verify(SignatureFixtures.Module("rsa4096-sha512"), trusted).Status);
    }

    [Fact]
    public void TruncatedBzImageIsAFormatError()
    {
        byte[] image = File.ReadAllBytes(SignatureFixtures.Kernel("bzImage-xz"));
        string path = Path.Combine(Path.GetTempPath(), $"lkmkit-bzimage-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, image[..(image.Length - 200)]);
        try
        {
            var e = Assert.Throws<ModuleFormatException>(() => KernelImageCertificates.Read(path, null));
            Assert.Contains("payload", e.Message);
            Assert.Equal(path, e.FilePath);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CorruptPayloadIsAFormatError()
    {
        // xz carries a CRC32 of the data, so a flipped byte in the stream cannot go unnoticed.
        byte[] image = File.ReadAllBytes(SignatureFixtures.Kernel("bzImage-xz"));
        image[image.Length - 300] ^= 0xff;
        string path = Path.Combine(Path.GetTempPath(), $"lkmkit-bzimage-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, image);
        try
        {
            var e = Assert.Throws<ModuleFormatException>(() => KernelImageCertificates.Read(path, null));
            Assert.Equal(path, e.FilePath);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void NotAKernelImage()
    {
        var e = Assert.Throws<ModuleFormatException>(() => KernelImageCertificates.Read(SignatureFixtures.Certificate("rsa2048"), null));
        Assert.Contains("not a kernel image", e.Message);
    }

    [Fact]
    public void MapWithoutTheListSymbolNamesIt()
    {
        var e = Assert.Throws<ModuleFormatException>(() =>
            KernelImageCertificates.Read(SignatureFixtures.Kernel("bzImage-xz"), SignatureFixtures.Certificate("rsa2048")));
        Assert.Contains("system_certificate_list", e.Message);
    }

    [Fact]
    public void WrongMapIsAFormatErrorNotACrash()
    {
        // The arm64 map's addresses are in no segment of the x86-64 vmlinux.
        var e = Assert.Throws<ModuleFormatException>(() =>
            KernelImageCertificates.Read(SignatureFixtures.Kernel("vmlinux-x86_64"), SignatureFixtures.Kernel("System.map-arm64")));
        Assert.Contains("system_certificate_list", e.Message);
    }
}
