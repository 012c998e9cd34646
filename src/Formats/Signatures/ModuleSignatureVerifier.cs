using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Signatures;

/// <summary>
/// Checks a Linux module's appended PKCS#7 signature (the trailer <c>sign-file</c> writes) against trusted
/// certificates, as the kernel's <c>module_sig_check</c> does: the digest is taken over the ELF image in front of the
/// trailer, the signer is found by issuer and serial number (or subject key identifier) among the trusted
/// certificates, and the signature is checked with that certificate's RSA or ECDSA key (SHA-1, SHA-256, SHA-384,
/// SHA-512). Compressed modules (<c>.ko.xz</c>, <c>.ko.zst</c>, <c>.ko.gz</c>) are checked after decompression.
/// </summary>
/// <remarks>Safe to call from several threads at once with the same <see cref="TrustedCertificateSet"/> once it is filled.</remarks>
internal static class ModuleSignatureVerifier
{
    /// <summary>Checks the module file at <paramref name="path"/>.</summary>
    /// <exception cref="ModuleFormatException">The file is empty or its compressed data is corrupt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ModuleVerificationResult Verify(string path, TrustedCertificateSet trusted)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(trusted);
        using var source = ModuleSource.Open(path);
        return VerifyDecompressed(source.Data.Span, path, trusted);
    }

    /// <summary>Checks a module held in memory (compressed or not); <paramref name="path"/> names it in the result.</summary>
    /// <exception cref="ModuleFormatException">The compressed data is corrupt.</exception>
    public static ModuleVerificationResult Verify(ReadOnlyMemory<byte> module, string path, TrustedCertificateSet trusted)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(trusted);
        using var source = ModuleSource.FromMemory(path, module);
        return VerifyDecompressed(source.Data.Span, path, trusted);
    }

    private static ModuleVerificationResult VerifyDecompressed(ReadOnlySpan<byte> data, string path, TrustedCertificateSet trusted)
    {
        ModuleSignature? signature;
        int elfLength;
        try
        {
            if (!ModuleSignatureReader.TryRead(data, path, out signature, out elfLength, allowNoSigner: true))
            {
                return new ModuleVerificationResult
                {
                    Path = path,
                    Status = ModuleSignatureStatus.Unsigned,
                    Reason = "no signature trailer (\"~Module signature appended~\")",
                };
            }
        }
        catch (ModuleFormatException e)
        {
            return Bad(path, ModuleSignatureFailure.MalformedTrailer, "malformed trailer: " + e.Message, null);
        }

        if (signature!.IdType != "PKCS#7")
        {
            return Bad(path, ModuleSignatureFailure.MalformedTrailer,
                $"malformed trailer: id_type {signature.IdType} is a pre-4.3 signature kind the kernel no longer accepts",
                signature);
        }

        var blob = data.Slice((int)signature.Offset, (int)signature.Length);
        Pkcs7SignerInfo? signer = Pkcs7SignedData.Decode(blob, (int)signature.Offset, path, "module signature",
            allowNoSigner: true).Signer;
        if (signer is null)
        {
            return Bad(path, ModuleSignatureFailure.SignerNotFound, "signer not found: the PKCS#7 SignedData has no SignerInfo", null);
        }

        Pkcs7Verifier.Outcome outcome = Pkcs7Verifier.Verify(signer, data[..elfLength], trusted.Certificates);
        return new ModuleVerificationResult
            {
                Path = path,
                Status = outcome.Status,
                Failure = outcome.Failure,
                Reason = outcome.Reason,
                Signer = signature.Signer,
                KeyId = FormatKeyId(signature.KeyId.Span),
                HashAlgorithm = signature.HashAlgorithm,
                Certificate = outcome.Certificate,
            };
    }

    private static ModuleVerificationResult Bad(string path, ModuleSignatureFailure failure, string reason, ModuleSignature? signature) =>
        new()
        {
            Path = path,
            Status = ModuleSignatureStatus.Bad,
            Failure = failure,
            Reason = reason,
            Signer = signature?.Signer,
            KeyId = signature is null ? null : FormatKeyId(signature.KeyId.Span),
            HashAlgorithm = signature?.HashAlgorithm,
        };

    /// <summary>Key id bytes as <c>modinfo</c> prints <c>sig_key</c>: uppercase hex pairs joined by <c>:</c>.</summary>
    internal static string FormatKeyId(ReadOnlySpan<byte> keyId) =>
        string.Join(':', Convert.ToHexString(keyId).Chunk(2).Select(pair => new string(pair)));
}
