using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Signatures;

/// <summary>
/// Appends a Linux module signature as the kernel's <c>scripts/sign-file</c> does: a detached PKCS#7 SignedData
/// (no certificates, no signed attributes, the signer named by issuer and serial number), the 12-byte
/// <c>struct module_signature</c> and the <c>~Module signature appended~</c> marker. For RSA keys the bytes are
/// identical to sign-file's (PKCS#1 v1.5 signatures are deterministic); ECDSA signatures are randomised.
/// </summary>
internal static class ModuleSigner
{
    private const string Structure = "module signature";
    private const string OidSignedData = "1.2.840.113549.1.7.2";
    private const string OidData = "1.2.840.113549.1.7.1";
    private const string OidRsaEncryption = "1.2.840.113549.1.1.1";
    private const byte IdTypePkcs7 = 2;

    /// <summary>
    /// The module with a signature appended. <paramref name="module"/> is the uncompressed ELF module (compress after
    /// signing, as the kernel build does).
    /// </summary>
    /// <param name="module">The module bytes.</param>
    /// <param name="path">The module's name, for errors.</param>
    /// <param name="key">The signing key and certificate.</param>
    /// <param name="hash">SHA-1, SHA-256, SHA-384 or SHA-512.</param>
    /// <param name="replaceSignature">
    /// When the module is already signed: true replaces its signature, false refuses (sign-file would append a
    /// second trailer, which the kernel never reads).
    /// </param>
    /// <exception cref="ModuleFormatException">
    /// The module is compressed, not ELF, already signed (and <paramref name="replaceSignature"/> is false), or carries a
    /// malformed trailer.
    /// </exception>
    public static byte[] Sign(ReadOnlySpan<byte> module, string path, ModuleSigningKey key, HashAlgorithmName hash,
        bool replaceSignature = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(key);
        string digestOid = SignatureAlgorithmNames.DigestOid(hash);
        if (ModuleSource.DetectCompression(module) != CompressionKind.None)
        {
            throw new ModuleFormatException(path, 0, Structure,
                "the module is compressed; sign the uncompressed .ko and compress it afterwards");
        }

        if (!Elf.ElfFile.IsElf(module))
        {
            throw new ModuleFormatException(path, 0, Structure, "not an ELF module");
        }

        if (ModuleSignatureReader.TryRead(module, path, out _, out int elfLength))
        {
            if (!replaceSignature)
            {
                throw new ModuleFormatException(path, elfLength, Structure,
                    "the module is already signed (ask to replace the signature: lkm sign --replace)");
            }

            module = module[..elfLength];
        }

        byte[] blob = BuildSignedData(module, key, hash, digestOid);
        byte[] signed = new byte[module.Length + blob.Length + 12 + ModuleSignatureReader.Magic.Length];
        module.CopyTo(signed);
        blob.CopyTo(signed.AsSpan(module.Length));
        Span<byte> info = signed.AsSpan(module.Length + blob.Length, 12);
        info[2] = IdTypePkcs7;
        BinaryPrimitives.WriteUInt32BigEndian(info[8..], (uint)blob.Length);
        System.Text.Encoding.ASCII.GetBytes(ModuleSignatureReader.Magic, signed.AsSpan(module.Length + blob.Length + 12));
        return signed;
    }

    /// <summary>
    /// Signs the file <paramref name="inputPath"/> and writes the result to <paramref name="outputPath"/> (the input
    /// itself when null) through a temporary file in the same directory that is then renamed over the target, so a
    /// reader never sees a half-written module.
    /// </summary>
    /// <exception cref="ModuleFormatException">As for <see cref="Sign"/>.</exception>
    /// <exception cref="IOException">A file cannot be read or written.</exception>
    public static void SignFile(string inputPath, string? outputPath, ModuleSigningKey key, HashAlgorithmName hash,
        bool replaceSignature = false)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        byte[] signed = Sign(File.ReadAllBytes(inputPath), inputPath, key, hash, replaceSignature);
        string target = Path.GetFullPath(outputPath ?? inputPath);
        string temporary = Path.Combine(Path.GetDirectoryName(target)!,
            $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(signed);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(File.Exists(target) ? target : inputPath));
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static string EcdsaOid(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => "1.2.840.10045.4.1",
        "SHA256" => "1.2.840.10045.4.3.2",
        "SHA384" => "1.2.840.10045.4.3.3",
        _ => "1.2.840.10045.4.3.4",
    };

    // The DER OpenSSL's CMS_sign writes for sign-file's flags (CMS_NOCERTS | CMS_NOATTR | CMS_DETACHED | CMS_BINARY):
    // version 1, digest AlgorithmIdentifiers without parameters, no certificates, issuerAndSerialNumber,
    // rsaEncryption with NULL parameters (ecdsa-with-SHA* without) as the signature algorithm.
    private static byte[] BuildSignedData(ReadOnlySpan<byte> content, ModuleSigningKey key, HashAlgorithmName hash, string digestOid)
    {
        byte[] digest = CryptographicOperations.HashData(hash, content);
        byte[] signature;
        string signatureOid;
        bool nullParameters;
        switch (key.Key)
        {
            case RSA rsa:
                signature = rsa.SignHash(digest, hash, RSASignaturePadding.Pkcs1);
                signatureOid = OidRsaEncryption;
                nullParameters = true;
                break;
            case ECDsa ecdsa:
                signature = ecdsa.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence);
                signatureOid = EcdsaOid(hash);
                nullParameters = false;
                break;
            default:
                throw new InvalidOperationException("signing keys are RSA or ECDSA");
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(OidSignedData);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (writer.PushSequence())
            {
                writer.WriteInteger(1);
                using (writer.PushSetOf())
                {
                    WriteAlgorithm(writer, digestOid, nullParameters: false);
                }

                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(OidData);
                }

                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1);
                    using (writer.PushSequence())
                    {
                        writer.WriteEncodedValue(key.Certificate.IssuerName.RawData);
                        writer.WriteInteger(key.Certificate.SerialNumberBytes.Span);
                    }

                    WriteAlgorithm(writer, digestOid, nullParameters: false);
                    WriteAlgorithm(writer, signatureOid, nullParameters);
                    writer.WriteOctetString(signature);
                }
            }
        }

        return writer.Encode();
    }

    private static void WriteAlgorithm(AsnWriter writer, string oid, bool nullParameters)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (nullParameters)
            {
                writer.WriteNull();
            }
        }
    }
}
