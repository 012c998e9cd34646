using System.Buffers.Binary;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Signatures;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Flavors.Linux;

/// <summary>
/// Reads the signature trailer the kernel's <c>sign-file</c> appends to a Linux module:
/// <c>[ELF image][signer][key id][signature][struct module_signature (12 bytes)]["~Module signature appended~\n"]</c>.
/// </summary>
/// <remarks>
/// <para>
/// Modern kernels only accept <c>id_type</c> 2 (PKCS#7) with every other info field zero; the signature is then a
/// detached PKCS#7/CMS <c>SignedData</c> whose first <c>SignerInfo</c> supplies what kmod's <c>modinfo</c> prints:
/// the issuer commonName (<c>signer</c>), the issuer serial number (<c>sig_key</c>), the digest algorithm
/// (<c>sig_hashalgo</c>) and the encrypted digest (<c>signature</c>).
/// </para>
/// <para>
/// The legacy PGP and X.509 id types (kernels before 4.3) carry the signer name and key id as raw bytes in front of
/// the signature; they are returned undecoded.
/// </para>
/// </remarks>
internal static class ModuleSignatureReader
{
    /// <summary>The 28-byte ASCII marker that ends a signed module file.</summary>
    public const string Magic = "~Module signature appended~\n";

    // sizeof(struct module_signature), the info block just before the magic.
    private const int InfoBlockSize = 12;

    private const string Structure = "module signature";
    private const byte IdTypePgp = 0;
    private const byte IdTypeX509 = 1;
    private const byte IdTypePkcs7 = 2;

    private static ReadOnlySpan<byte> MagicBytes => "~Module signature appended~\n"u8;

    // kmod libkmod-signature.c: pkey_algo[] and pkey_hash_algo[], indexed by the info block's algo / hash bytes.
    private static readonly string[] LegacyKeyAlgorithms = ["DSA", "RSA"];
    private static readonly string[] LegacyHashAlgorithms =
        ["md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3"];

    /// <summary>
    /// Reads the signature trailer at the end of a (decompressed) module file, if there is one.
    /// </summary>
    /// <param name="data">The whole module file contents.</param>
    /// <param name="path">The file's name, used in error messages.</param>
    /// <param name="signature">The decoded signature, or null when the file carries no trailer.</param>
    /// <param name="elfLength">
    /// The length of the ELF image in front of the trailer; <paramref name="data"/>'s length when there is no trailer.
    /// </param>
    /// <returns>True when <paramref name="data"/> ends with <see cref="Magic"/> and the trailer was read.</returns>
    /// <exception cref="ModuleFormatException">
    /// The file ends with the magic but the trailer is malformed (too short, <c>sig_len</c> larger than the file,
    /// an unknown id type, non-zero fields the kernel requires to be zero) or the PKCS#7 blob does not decode.
    /// </exception>
    public static bool TryRead(ReadOnlySpan<byte> data, string path, out ModuleSignature? signature, out int elfLength) =>
        TryRead(data, path, out signature, out elfLength, allowNoSigner: false);

    /// <summary>
    /// As the public <see cref="TryRead(ReadOnlySpan{byte}, string, out ModuleSignature?, out int)"/>; with
    /// <paramref name="allowNoSigner"/> a PKCS#7 SignedData without a SignerInfo is returned (no signer, no key id,
    /// no algorithms) instead of refused, for the verifier to report.
    /// </summary>
    internal static bool TryRead(ReadOnlySpan<byte> data, string path, out ModuleSignature? signature, out int elfLength,
        bool allowNoSigner)
    {
        ArgumentNullException.ThrowIfNull(path);
        signature = null;
        elfLength = data.Length;
        if (!data.EndsWith(MagicBytes))
        {
            return false;
        }

        int magicStart = data.Length - MagicBytes.Length;
        if (magicStart < InfoBlockSize)
        {
            throw new ModuleFormatException(path, 0, Structure,
                $"file ends with the signature magic but has only {magicStart} byte(s) before it, " +
                $"fewer than the {InfoBlockSize}-byte info block");
        }

        int info = magicStart - InfoBlockSize;
        ReadOnlySpan<byte> block = data.Slice(info, InfoBlockSize);
        byte algo = block[0];
        byte hash = block[1];
        byte idType = block[2];
        byte signerLength = block[3];
        byte keyIdLength = block[4];
        uint sigLength = BinaryPrimitives.ReadUInt32BigEndian(block[8..]);
        long sigLengthOffset = info + 8;

        if (sigLength == 0)
        {
            throw new ModuleFormatException(path, sigLengthOffset, Structure, "sig_len is 0");
        }

        // The kernel rejects sig_len >= file length - 12 (with the magic already removed): at least one byte of
        // ELF image must remain in front of the appended data.
        long appended = (long)sigLength + signerLength + keyIdLength;
        if (appended >= info)
        {
            throw new ModuleFormatException(path, sigLengthOffset, Structure,
                $"sig_len {sigLength} (plus signer_len {signerLength} and key_id_len {keyIdLength}) does not fit in " +
                $"the {info} byte(s) in front of the info block");
        }

        int start = info - (int)appended;
        switch (idType)
        {
            case IdTypePkcs7:
                RequireZero(path, info, block, 0, "algo");
                RequireZero(path, info, block, 1, "hash");
                RequireZero(path, info, block, 3, "signer_len");
                RequireZero(path, info, block, 4, "key_id_len");
                RequireZero(path, info, block, 5, "__pad[0]");
                RequireZero(path, info, block, 6, "__pad[1]");
                RequireZero(path, info, block, 7, "__pad[2]");
                signature = ReadPkcs7(data.Slice(start, (int)sigLength), start, path, allowNoSigner);
                break;

            case IdTypePgp:
            case IdTypeX509:
                int keyIdStart = start + signerLength;
                int sigStart = keyIdStart + keyIdLength;
                signature = new ModuleSignature
                {
                    IdType = idType == IdTypePgp ? "PGP" : "X509",
                    Signer = signerLength == 0 ? null : CString.Decode(data.Slice(start, signerLength)),
                    KeyId = data.Slice(keyIdStart, keyIdLength).ToArray(),
                    HashAlgorithm = hash < LegacyHashAlgorithms.Length ? LegacyHashAlgorithms[hash] : null,
                    SignatureAlgorithm = algo < LegacyKeyAlgorithms.Length ? LegacyKeyAlgorithms[algo] : null,
                    SignatureBytes = data.Slice(sigStart, (int)sigLength).ToArray(),
                    Offset = start,
                    Length = appended,
                };
                break;

            default:
                throw new ModuleFormatException(path, info + 2, Structure,
                    $"unknown id_type {idType} (expected 2 = PKCS#7, or legacy 0 = PGP / 1 = X509)");
        }

        elfLength = start;
        return true;
    }

    private static void RequireZero(string path, int info, ReadOnlySpan<byte> block, int index, string field)
    {
        if (block[index] != 0)
        {
            throw new ModuleFormatException(path, info + index, Structure,
                $"{field} is {block[index]}, but must be 0 for a PKCS#7 module signature");
        }
    }

    private static ModuleSignature ReadPkcs7(ReadOnlySpan<byte> blob, int blobOffset, string path, bool allowNoSigner)
    {
        Pkcs7SignerInfo? signer = Pkcs7SignedData.Decode(blob, blobOffset, path, Structure, allowNoSigner).Signer;
        return new ModuleSignature
        {
            IdType = "PKCS#7",
            Signer = signer?.IssuerCommonName,
            KeyId = signer?.KeyId ?? [],
            HashAlgorithm = signer is null ? null : SignatureAlgorithmNames.Digest(signer.DigestAlgorithmOid),
            SignatureAlgorithm = signer is null ? null : SignatureAlgorithmNames.Signature(signer.SignatureAlgorithmOid),
            SignatureBytes = signer?.EncryptedDigest ?? [],
            Offset = blobOffset,
            Length = blob.Length,
        };
    }
}
