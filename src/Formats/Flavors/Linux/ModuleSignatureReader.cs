using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Numerics;
using System.Text;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

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

    private const string OidSignedData = "1.2.840.113549.1.7.2";
    private const string OidCommonName = "2.5.4.3";

    private static ReadOnlySpan<byte> MagicBytes => "~Module signature appended~\n"u8;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // kmod libkmod-signature.c: pkey_algo[] and pkey_hash_algo[], indexed by the info block's algo / hash bytes.
    private static readonly string[] LegacyKeyAlgorithms = ["DSA", "RSA"];
    private static readonly string[] LegacyHashAlgorithms =
        ["md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3"];

    private static readonly Dictionary<string, string> DigestNames = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.2.4"] = "md4",
        ["1.2.840.113549.2.5"] = "md5",
        ["1.3.14.3.2.26"] = "sha1",
        ["1.3.36.3.2.1"] = "rmd160",
        ["2.16.840.1.101.3.4.2.1"] = "sha256",
        ["2.16.840.1.101.3.4.2.2"] = "sha384",
        ["2.16.840.1.101.3.4.2.3"] = "sha512",
        ["2.16.840.1.101.3.4.2.4"] = "sha224",
        ["2.16.840.1.101.3.4.2.8"] = "sha3-256",
        ["2.16.840.1.101.3.4.2.9"] = "sha3-384",
        ["2.16.840.1.101.3.4.2.10"] = "sha3-512",
        ["1.2.156.10197.1.401"] = "sm3",
    };

    // OpenSSL short names of the public-key / signature algorithms a SignerInfo may name.
    private static readonly Dictionary<string, string> SignatureNames = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.1"] = "rsaEncryption",
        ["1.2.840.113549.1.1.4"] = "md5WithRSAEncryption",
        ["1.2.840.113549.1.1.5"] = "sha1WithRSAEncryption",
        ["1.2.840.113549.1.1.10"] = "RSASSA-PSS",
        ["1.2.840.113549.1.1.11"] = "sha256WithRSAEncryption",
        ["1.2.840.113549.1.1.12"] = "sha384WithRSAEncryption",
        ["1.2.840.113549.1.1.13"] = "sha512WithRSAEncryption",
        ["1.2.840.113549.1.1.14"] = "sha224WithRSAEncryption",
        ["1.2.840.10040.4.1"] = "dsaEncryption",
        ["1.2.840.10040.4.3"] = "dsaWithSHA1",
        ["2.16.840.1.101.3.4.3.1"] = "dsa_with_SHA224",
        ["2.16.840.1.101.3.4.3.2"] = "dsa_with_SHA256",
        ["1.2.840.10045.2.1"] = "id-ecPublicKey",
        ["1.2.840.10045.4.1"] = "ecdsa-with-SHA1",
        ["1.2.840.10045.4.3.1"] = "ecdsa-with-SHA224",
        ["1.2.840.10045.4.3.2"] = "ecdsa-with-SHA256",
        ["1.2.840.10045.4.3.3"] = "ecdsa-with-SHA384",
        ["1.2.840.10045.4.3.4"] = "ecdsa-with-SHA512",
        ["2.16.840.1.101.3.4.3.9"] = "id-ecdsa-with-sha3-224",
        ["2.16.840.1.101.3.4.3.10"] = "id-ecdsa-with-sha3-256",
        ["2.16.840.1.101.3.4.3.11"] = "id-ecdsa-with-sha3-384",
        ["2.16.840.1.101.3.4.3.12"] = "id-ecdsa-with-sha3-512",
        ["2.16.840.1.101.3.4.3.17"] = "ML-DSA-44",
        ["2.16.840.1.101.3.4.3.18"] = "ML-DSA-65",
        ["2.16.840.1.101.3.4.3.19"] = "ML-DSA-87",
        ["1.3.101.112"] = "ED25519",
        ["1.3.101.113"] = "ED448",
        ["1.2.156.10197.1.301"] = "SM2",
        ["1.2.156.10197.1.501"] = "SM2-with-SM3",
    };

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
    public static bool TryRead(ReadOnlySpan<byte> data, string path, out ModuleSignature? signature, out int elfLength)
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
                signature = ReadPkcs7(data.Slice(start, (int)sigLength), start, path);
                break;

            case IdTypePgp:
            case IdTypeX509:
                int keyIdStart = start + signerLength;
                int sigStart = keyIdStart + keyIdLength;
                signature = new ModuleSignature
                {
                    IdType = idType == IdTypePgp ? "PGP" : "X509",
                    Signer = signerLength == 0 ? null : Encoding.UTF8.GetString(data.Slice(start, signerLength)),
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

    /// <summary>Decodes a PKCS#7 SignedData blob's first SignerInfo (also used for PE Authenticode signatures).</summary>
    internal static ModuleSignature ReadPkcs7(ReadOnlySpan<byte> blob, int blobOffset, string path)
    {
        // sign-file writes DER; the kernel's own decoder also accepts BER (e.g. indefinite lengths), so a blob that
        // is not valid DER gets a second, BER, attempt. The DER error is the one reported when both fail.
        ModuleFormatException derError;
        try
        {
            return ParsePkcs7(blob, blobOffset, path, AsnEncodingRules.DER);
        }
        catch (ModuleFormatException e)
        {
            derError = e;
        }

        try
        {
            return ParsePkcs7(blob, blobOffset, path, AsnEncodingRules.BER);
        }
        catch (ModuleFormatException)
        {
        }

        throw derError;
    }

    private static ModuleSignature ParsePkcs7(ReadOnlySpan<byte> blob, int blobOffset, string path, AsnEncodingRules rules)
    {
        try
        {
            return ParsePkcs7Core(blob, blobOffset, path, rules);
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException or IndexOutOfRangeException
                                      or OverflowException or InvalidOperationException)
        {
            // Safety net: the cursor already turns decoder errors into ModuleFormatException at the element's offset.
            throw new ModuleFormatException(path, blobOffset, Structure, $"PKCS#7 blob does not decode: {e.Message}");
        }
    }

    private static ModuleSignature ParsePkcs7Core(ReadOnlySpan<byte> blob, int blobOffset, string path, AsnEncodingRules rules)
    {
        var top = new DerCursor(blob, blobOffset, path, rules, 0, blob.Length);

        // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
        // Bytes after the ContentInfo are ignored, as both the kernel's BER decoder and OpenSSL (kmod) do.
        DerCursor contentInfo = top.ReadSequence("ContentInfo");
        int contentTypeAt = contentInfo.Position;
        string contentType = contentInfo.ReadObjectIdentifier("ContentInfo contentType");
        if (contentType != OidSignedData)
        {
            throw contentInfo.FailAt(contentTypeAt, $"ContentInfo contentType is {contentType}, not signedData ({OidSignedData})");
        }

        DerCursor explicitContent = contentInfo.ReadSequence("ContentInfo content", Context(0));

        // SignedData ::= SEQUENCE { version, digestAlgorithms SET, contentInfo, [0] certificates OPTIONAL,
        //                           [1] crls OPTIONAL, signerInfos SET OF SignerInfo }
        DerCursor signedData = explicitContent.ReadSequence("SignedData");
        signedData.ReadIntegerBytes("SignedData version");
        signedData.ReadSetOf("SignedData digestAlgorithms");
        signedData.ReadSequence("SignedData contentInfo");
        while (signedData.HasData)
        {
            Asn1Tag tag = signedData.PeekTag("SignedData signerInfos");
            if (tag.TagClass != TagClass.ContextSpecific || tag.TagValue > 1)
            {
                break;
            }

            signedData.Skip(tag.TagValue == 0 ? "SignedData certificates" : "SignedData crls");
        }

        DerCursor signerInfos = signedData.ReadSetOf("SignedData signerInfos");
        if (!signerInfos.HasData)
        {
            throw signerInfos.FailAt(signerInfos.Position, "SignedData has no SignerInfo");
        }

        // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, [0] authenticatedAttributes OPTIONAL,
        //                           digestEncryptionAlgorithm, encryptedDigest OCTET STRING, [1] ... OPTIONAL }
        DerCursor signerInfo = signerInfos.ReadSequence("SignerInfo");
        signerInfo.ReadIntegerBytes("SignerInfo version");

        string? signer = null;
        byte[] keyId;
        Asn1Tag sidTag = signerInfo.PeekTag("SignerInfo sid");
        if (sidTag.TagClass == TagClass.ContextSpecific && sidTag.TagValue == 0)
        {
            // subjectKeyIdentifier [0] IMPLICIT OCTET STRING (SignerInfo version 3): no issuer, so no signer name.
            keyId = signerInfo.ReadOctetString("SignerInfo subjectKeyIdentifier", Context(0));
        }
        else
        {
            // IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER }
            DerCursor issuerAndSerial = signerInfo.ReadSequence("SignerInfo issuerAndSerialNumber");
            DerCursor issuer = issuerAndSerial.ReadSequence("SignerInfo issuer");
            signer = ReadCommonName(ref issuer);
            keyId = SerialToKeyId(issuerAndSerial.ReadIntegerBytes("SignerInfo serialNumber"));
        }

        string digestAlgorithm = ReadAlgorithm(ref signerInfo, "SignerInfo digestAlgorithm");
        if (signerInfo.HasData && signerInfo.PeekTag("SignerInfo digestEncryptionAlgorithm") is
            { TagClass: TagClass.ContextSpecific, TagValue: 0 })
        {
            signerInfo.Skip("SignerInfo authenticatedAttributes");
        }

        string signatureAlgorithm = ReadAlgorithm(ref signerInfo, "SignerInfo digestEncryptionAlgorithm");
        byte[] encryptedDigest = signerInfo.ReadOctetString("SignerInfo encryptedDigest", null);

        return new ModuleSignature
        {
            IdType = "PKCS#7",
            Signer = signer,
            KeyId = keyId,
            HashAlgorithm = DigestNames.GetValueOrDefault(digestAlgorithm, digestAlgorithm),
            SignatureAlgorithm = SignatureNames.GetValueOrDefault(signatureAlgorithm, signatureAlgorithm),
            SignatureBytes = encryptedDigest,
            Offset = blobOffset,
            Length = blob.Length,
        };
    }

    private static Asn1Tag Context(int number) => new(TagClass.ContextSpecific, number);

    // AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }; returns the dotted OID.
    private static string ReadAlgorithm(ref DerCursor cursor, string what)
    {
        DerCursor algorithm = cursor.ReadSequence(what);
        return algorithm.ReadObjectIdentifier(what + " algorithm");
    }

    // Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue); the first commonName wins,
    // as with OpenSSL's X509_NAME_get_index_by_NID(name, NID_commonName, -1) that kmod uses.
    private static string? ReadCommonName(ref DerCursor name)
    {
        while (name.HasData)
        {
            DerCursor rdn = name.ReadSetOf("SignerInfo issuer RDN");
            while (rdn.HasData)
            {
                DerCursor attribute = rdn.ReadSequence("SignerInfo issuer attribute");
                string type = attribute.ReadObjectIdentifier("SignerInfo issuer attribute type");
                if (type == OidCommonName)
                {
                    return attribute.ReadDirectoryString("SignerInfo issuer commonName");
                }
            }
        }

        return null;
    }

    // kmod prints the serial as OpenSSL's BN_bn2bin(ASN1_INTEGER_to_BN(serial)) does: the magnitude, big-endian,
    // without DER's leading 00 sign byte (an all-zero serial gives no bytes).
    private static byte[] SerialToKeyId(ReadOnlySpan<byte> content)
    {
        if (content.Length > 0 && (content[0] & 0x80) != 0)
        {
            var value = BigInteger.Abs(new BigInteger(content, isUnsigned: false, isBigEndian: true));
            return value.ToByteArray(isUnsigned: true, isBigEndian: true);
        }

        int first = 0;
        while (first < content.Length && content[first] == 0)
        {
            first++;
        }

        return content[first..].ToArray();
    }

    private static bool IsCharacterString(UniversalTagNumber type) => type is
        UniversalTagNumber.UTF8String or UniversalTagNumber.NumericString or UniversalTagNumber.PrintableString or
        UniversalTagNumber.TeletexString or UniversalTagNumber.VideotexString or UniversalTagNumber.IA5String or
        UniversalTagNumber.GraphicString or UniversalTagNumber.VisibleString or UniversalTagNumber.GeneralString or
        UniversalTagNumber.UniversalString or UniversalTagNumber.BMPString;

    // The bytes are taken as stored (modinfo prints them raw) rather than validated against the type's alphabet:
    // BMPString and UniversalString are UTF-16BE / UTF-32BE; everything else is UTF-8, or Latin-1 (OpenSSL's
    // reading of T61String) when it is not valid UTF-8.
    private static string DecodeString(UniversalTagNumber type, ReadOnlySpan<byte> bytes)
    {
        switch (type)
        {
            case UniversalTagNumber.BMPString:
                return Encoding.BigEndianUnicode.GetString(bytes);
            case UniversalTagNumber.UniversalString:
                return new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetString(bytes);
            default:
                try
                {
                    return StrictUtf8.GetString(bytes);
                }
                catch (DecoderFallbackException)
                {
                    return Encoding.Latin1.GetString(bytes);
                }
        }
    }

    /// <summary>A position inside the PKCS#7 blob; every read names the absolute file offset when it fails.</summary>
    private ref struct DerCursor
    {
        private readonly ReadOnlySpan<byte> _blob;
        private readonly int _fileOffset;
        private readonly string _path;
        private readonly AsnEncodingRules _rules;
        private readonly int _end;
        private int _pos;

        public DerCursor(ReadOnlySpan<byte> blob, int fileOffset, string path, AsnEncodingRules rules, int start, int end)
        {
            _blob = blob;
            _fileOffset = fileOffset;
            _path = path;
            _rules = rules;
            _pos = start;
            _end = end;
        }

        public readonly bool HasData => _pos < _end;

        public readonly int Position => _pos;

        private readonly ReadOnlySpan<byte> Rest => _blob[_pos.._end];

        public readonly ModuleFormatException FailAt(int position, string reason) =>
            new(_path, (long)_fileOffset + position, Structure, "PKCS#7 " + reason);

        private readonly ModuleFormatException Fail(string what, AsnContentException e) =>
            FailAt(_pos, $"{what}: {e.Message}");

        private readonly void RequireData(string what)
        {
            if (!HasData)
            {
                throw FailAt(_pos, $"{what} is missing");
            }
        }

        public readonly Asn1Tag PeekTag(string what)
        {
            RequireData(what);
            try
            {
                return Asn1Tag.Decode(Rest, out _);
            }
            catch (AsnContentException e)
            {
                throw Fail(what, e);
            }
        }

        public DerCursor ReadSequence(string what, Asn1Tag? tag = null)
        {
            RequireData(what);
            try
            {
                AsnDecoder.ReadSequence(Rest, _rules, out int contentOffset, out int contentLength, out int consumed, tag);
                var inner = new DerCursor(_blob, _fileOffset, _path, _rules, _pos + contentOffset,
                    _pos + contentOffset + contentLength);
                _pos += consumed;
                return inner;
            }
            catch (AsnContentException e)
            {
                throw Fail(what, e);
            }
        }

        public DerCursor ReadSetOf(string what)
        {
            RequireData(what);
            try
            {
                AsnDecoder.ReadSetOf(Rest, _rules, out int contentOffset, out int contentLength, out int consumed,
                    skipSortOrderValidation: true);
                var inner = new DerCursor(_blob, _fileOffset, _path, _rules, _pos + contentOffset,
                    _pos + contentOffset + contentLength);
                _pos += consumed;
                return inner;
            }
            catch (AsnContentException e)
            {
                throw Fail(what, e);
            }
        }

        public void Skip(string what)
        {
            RequireData(what);
            try
            {
                AsnDecoder.ReadEncodedValue(Rest, _rules, out _, out _, out int consumed);
                _pos += consumed;
            }
            catch (AsnContentException e)
            {
                throw Fail(what, e);
            }
        }

        public string ReadObjectIdentifier(string what)
        {
            RequireData(what);
            try
            {
                string oid = AsnDecoder.ReadObjectIdentifier(Rest, _rules, out int consumed);
                _pos += consumed;
                return oid;
            }
            catch (AsnContentException e)
            {
                throw Fail(what, e);
            }
        }

        public ReadOnlySpan<byte> ReadIntegerBytes(string what)
        {
            RequireData(what);
            try
            {
                ReadOnlySpan<byte> value = AsnDecoder.ReadIntegerBytes(Rest, _rules, out int consumed);
                _pos += consumed;
                return value;
            }
            catch (AsnContentException e)
            {
                throw Fail(what, e);
            }
        }

        public byte[] ReadOctetString(string what, Asn1Tag? tag)
        {
            RequireData(what);
            try
            {
                byte[] value = AsnDecoder.ReadOctetString(Rest, _rules, out int consumed, tag);
                _pos += consumed;
                return value;
            }
            catch (AsnContentException e)
            {
                throw Fail(what, e);
            }
        }

        // X.520 DirectoryString or another character-string type, decoded by DecodeString; a non-string value
        // gives null.
        public string? ReadDirectoryString(string what)
        {
            Asn1Tag tag = PeekTag(what);
            if (tag.TagClass != TagClass.Universal || !IsCharacterString((UniversalTagNumber)tag.TagValue))
            {
                Skip(what);
                return null;
            }

            var type = (UniversalTagNumber)tag.TagValue;
            byte[] buffer = new byte[Rest.Length];
            int consumed, written;
            try
            {
                if (!AsnDecoder.TryReadCharacterStringBytes(Rest, buffer, _rules, new Asn1Tag(type), out consumed, out written))
                {
                    throw FailAt(_pos, $"{what} does not fit in its element");
                }
            }
            catch (AsnContentException e)
            {
                throw Fail(what, e);
            }

            _pos += consumed;
            return DecodeString(type, buffer.AsSpan(0, written));
        }
    }
}
