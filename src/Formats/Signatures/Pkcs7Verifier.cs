using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LkmKit.Formats.Signatures;

/// <summary>
/// Checks one PKCS#7 SignerInfo over detached content against trusted certificates: the signer is looked up by
/// issuer and serial number (or subject key identifier), authenticated attributes are honoured (their
/// messageDigest must equal the content digest, and the signature covers their DER SET encoding), and the signature
/// is verified with the certificate's RSA (PKCS#1 v1.5) or ECDSA key.
/// </summary>
internal static class Pkcs7Verifier
{
    private const string OidMessageDigest = "1.2.840.113549.1.9.4";
    private const string OidRsaPss = "1.2.840.113549.1.1.10";

    /// <summary>What <see cref="Verify"/> found.</summary>
    internal readonly record struct Outcome(ModuleSignatureStatus Status, ModuleSignatureFailure Failure, string? Reason,
        X509Certificate2? Certificate);

    public static Outcome Verify(Pkcs7SignerInfo signer, ReadOnlySpan<byte> content, IReadOnlyList<X509Certificate2> trusted)
    {
        string digestName = SignatureAlgorithmNames.Digest(signer.DigestAlgorithmOid);
        if (SignatureAlgorithmNames.Hash(signer.DigestAlgorithmOid) is not { } hash)
        {
            return Bad(ModuleSignatureFailure.UnsupportedAlgorithm, $"unsupported algorithm: digest {digestName}", null);
        }

        X509Certificate2? certificate = FindSigner(signer, trusted);
        if (certificate is null)
        {
            return new Outcome(ModuleSignatureStatus.NoKey, ModuleSignatureFailure.None,
                "no trusted certificate matches the signer" + DescribeSigner(signer), null);
        }

        byte[] contentDigest = CryptographicOperations.HashData(hash, content);
        byte[] signedDigest = contentDigest;
        if (signer.SignedAttributes is { } attributes)
        {
            byte[]? messageDigest = ReadMessageDigest(attributes);
            if (messageDigest is null)
            {
                return Bad(ModuleSignatureFailure.BadSignature, "bad signature: authenticated attributes without a messageDigest", certificate);
            }

            if (!CryptographicOperations.FixedTimeEquals(messageDigest, contentDigest))
            {
                return Bad(ModuleSignatureFailure.DigestMismatch,
                    $"digest mismatch: the module's {digestName} digest is not the signed messageDigest", certificate);
            }

            // The signature covers the attributes with their [0] IMPLICIT tag replaced by the SET tag (RFC 5652 5.4).
            byte[] asSet = (byte[])attributes.Clone();
            asSet[0] = 0x31;
            signedDigest = CryptographicOperations.HashData(hash, asSet);
        }

        string signatureName = SignatureAlgorithmNames.Signature(signer.SignatureAlgorithmOid);
        if (signer.SignatureAlgorithmOid == OidRsaPss)
        {
            return Bad(ModuleSignatureFailure.UnsupportedAlgorithm, $"unsupported algorithm: {signatureName}", certificate);
        }

        using (RSA? rsa = certificate.GetRSAPublicKey())
        {
            if (rsa is not null)
            {
                if (!signatureName.Contains("RSA", StringComparison.OrdinalIgnoreCase) && signatureName != "rsaEncryption")
                {
                    return Bad(ModuleSignatureFailure.BadSignature, $"bad signature: {signatureName} signature but the certificate's key is RSA", certificate);
                }

                if (rsa.VerifyHash(signedDigest, signer.EncryptedDigest, hash, RSASignaturePadding.Pkcs1))
                {
                    return new Outcome(ModuleSignatureStatus.Ok, ModuleSignatureFailure.None, null, certificate);
                }

                return signer.SignedAttributes is null && RecoveredDigestDiffers(rsa, signer.EncryptedDigest, signedDigest)
                    ? Bad(ModuleSignatureFailure.DigestMismatch,
                        $"digest mismatch: the signature holds a {digestName} digest that is not the module's", certificate)
                    : Bad(ModuleSignatureFailure.BadSignature,
                        $"bad signature: the {signatureName} signature does not verify with the certificate's key", certificate);
            }
        }

        using (ECDsa? ecdsa = certificate.GetECDsaPublicKey())
        {
            if (ecdsa is not null)
            {
                if (!signatureName.Contains("ecdsa", StringComparison.OrdinalIgnoreCase) && signatureName != "id-ecPublicKey")
                {
                    return Bad(ModuleSignatureFailure.BadSignature, $"bad signature: {signatureName} signature but the certificate's key is ECDSA", certificate);
                }

                return ecdsa.VerifyHash(signedDigest, signer.EncryptedDigest, DSASignatureFormat.Rfc3279DerSequence)
                    ? new Outcome(ModuleSignatureStatus.Ok, ModuleSignatureFailure.None, null, certificate)
                    : Bad(ModuleSignatureFailure.BadSignature,
                        "bad signature: the ECDSA signature does not verify over the module's digest " +
                        "(ECDSA cannot tell a changed module from a wrong signature)", certificate);
            }
        }

        return Bad(ModuleSignatureFailure.UnsupportedAlgorithm,
            $"unsupported algorithm: certificate key {certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value}", certificate);
    }

    private static Outcome Bad(ModuleSignatureFailure failure, string reason, X509Certificate2? certificate) =>
        new(ModuleSignatureStatus.Bad, failure, reason, certificate);

    private static string DescribeSigner(Pkcs7SignerInfo signer) =>
        signer.SubjectKeyIdentifier is { } ski
            ? $" (subject key identifier {ModuleSignatureVerifier.FormatKeyId(ski)})"
            : $" (issuer \"{signer.IssuerCommonName}\", serial {ModuleSignatureVerifier.FormatKeyId(signer.SerialNumber)})";

    private static X509Certificate2? FindSigner(Pkcs7SignerInfo signer, IReadOnlyList<X509Certificate2> trusted)
    {
        foreach (X509Certificate2 certificate in trusted)
        {
            if (signer.SubjectKeyIdentifier is { } ski)
            {
                if (certificate.Extensions["2.5.29.14"] is X509SubjectKeyIdentifierExtension extension &&
                    extension.SubjectKeyIdentifierBytes.Span.SequenceEqual(ski))
                {
                    return certificate;
                }
            }
            else if (Pkcs7SignedData.SerialMagnitude(certificate.SerialNumberBytes.Span).AsSpan().SequenceEqual(signer.SerialNumber) &&
                     certificate.IssuerName.RawData.AsSpan().SequenceEqual(signer.Issuer))
            {
                return certificate;
            }
        }

        return null;
    }

    // Attributes ::= [0] IMPLICIT SET OF Attribute; Attribute ::= SEQUENCE { type OID, values SET OF ANY }.
    private static byte[]? ReadMessageDigest(byte[] attributes)
    {
        try
        {
            var set = new AsnReader(attributes, AsnEncodingRules.BER).ReadSetOf(skipSortOrderValidation: true, expectedTag: new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
            while (set.HasData)
            {
                var attribute = set.ReadSequence();
                if (attribute.ReadObjectIdentifier() == OidMessageDigest)
                {
                    return attribute.ReadSetOf(skipSortOrderValidation: true).ReadOctetString();
                }
            }
        }
        catch (AsnContentException)
        {
        }

        return null;
    }

    /// <summary>
    /// After a failed RSA check: opens the PKCS#1 v1.5 block with the public key (s^e mod n) and tells whether it is
    /// well formed and holds a digest other than <paramref name="expected"/> — that is, the signature is genuine but
    /// made over other bytes.
    /// </summary>
    private static bool RecoveredDigestDiffers(RSA rsa, byte[] signature, byte[] expected)
    {
        RSAParameters key = rsa.ExportParameters(includePrivateParameters: false);
        var modulus = new BigInteger(key.Modulus, isUnsigned: true, isBigEndian: true);
        var value = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (value >= modulus)
        {
            return false;
        }

        byte[] block = BigInteger.ModPow(value, new BigInteger(key.Exponent, isUnsigned: true, isBigEndian: true), modulus)
            .ToByteArray(isUnsigned: true, isBigEndian: true);

        // EM = 00 01 FF..FF 00 DigestInfo; ToByteArray drops the leading 00.
        if (block.Length < 11 || block[0] != 0x01)
        {
            return false;
        }

        int separator = Array.IndexOf(block, (byte)0x00, 1);
        if (separator < 9 || block.AsSpan(1, separator - 1).ContainsAnyExcept((byte)0xff))
        {
            return false;
        }

        try
        {
            // DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }
            var digestInfo = new AsnReader(block.AsMemory(separator + 1), AsnEncodingRules.DER).ReadSequence();
            digestInfo.ReadSequence();
            byte[] digest = digestInfo.ReadOctetString();
            return !digest.AsSpan().SequenceEqual(expected);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
