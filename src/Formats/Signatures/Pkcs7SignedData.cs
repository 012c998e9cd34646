using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Signatures;

/// <summary>
/// The parts of a PKCS#7 / CMS <c>SignedData</c> (RFC 2315, RFC 5652) that module and driver signatures use: the
/// first <c>SignerInfo</c>, decoded with every failure named by file offset. One decoder serves the Linux module
/// signature trailer and the PE Authenticode certificate table.
/// </summary>
internal sealed class Pkcs7SignedData
{
    private const string OidSignedData = "1.2.840.113549.1.7.2";
    private const string OidCommonName = "2.5.4.3";

    private Pkcs7SignedData(Pkcs7SignerInfo? signer) => Signer = signer;

    /// <summary>The first SignerInfo, or null when the SignedData has none (only possible with <c>allowNoSigner</c>).</summary>
    public Pkcs7SignerInfo? Signer { get; }

    /// <summary>
    /// Decodes <paramref name="blob"/>, found at <paramref name="blobOffset"/> in <paramref name="path"/>. DER is tried
    /// first (what sign-file and signtool write); a blob that is not valid DER gets a second, BER, attempt, as the
    /// kernel's decoder accepts BER (e.g. indefinite lengths). The DER error is the one reported when both fail.
    /// </summary>
    /// <param name="blob">The DER/BER bytes of the ContentInfo.</param>
    /// <param name="blobOffset">Where the blob starts in its file, for error offsets.</param>
    /// <param name="path">The file's name, for errors.</param>
    /// <param name="structure">The structure name used in errors (the container's name for the blob).</param>
    /// <param name="allowNoSigner">When false, a SignedData without a SignerInfo is an error.</param>
    /// <exception cref="ModuleFormatException">The blob is not a SignedData ContentInfo with a SignerInfo.</exception>
    public static Pkcs7SignedData Decode(ReadOnlySpan<byte> blob, int blobOffset, string path, string structure,
        bool allowNoSigner = false)
    {
        ModuleFormatException derError;
        try
        {
            return DecodeWith(blob, blobOffset, path, structure, AsnEncodingRules.DER, allowNoSigner);
        }
        catch (ModuleFormatException e)
        {
            derError = e;
        }

        try
        {
            return DecodeWith(blob, blobOffset, path, structure, AsnEncodingRules.BER, allowNoSigner);
        }
        catch (ModuleFormatException)
        {
        }

        throw derError;
    }

    /// <summary>
    /// The certificates carried in the SignedData's <c>certificates</c> field, as DER encodings; empty when there are
    /// none or the field does not decode (the certificates are extra help, never needed to read the SignerInfo).
    /// </summary>
    public static IReadOnlyList<byte[]> ReadCertificates(ReadOnlySpan<byte> blob)
    {
        var certificates = new List<byte[]>();
        try
        {
            var contentInfo = new AsnReader(blob.ToArray(), AsnEncodingRules.BER).ReadSequence();
            contentInfo.ReadObjectIdentifier();
            var signedData = contentInfo.ReadSequence(Context(0)).ReadSequence();
            signedData.ReadEncodedValue(); // version
            signedData.ReadEncodedValue(); // digestAlgorithms
            signedData.ReadEncodedValue(); // contentInfo
            if (!signedData.HasData || !signedData.PeekTag().HasSameClassAndValue(Context(0)))
            {
                return certificates;
            }

            var set = signedData.ReadSetOf(skipSortOrderValidation: true, expectedTag: Context(0));
            while (set.HasData)
            {
                certificates.Add(set.ReadEncodedValue().ToArray());
            }
        }
        catch (AsnContentException)
        {
        }

        return certificates;
    }

    /// <summary>
    /// The subject common name of the certificate in the blob's <c>certificates</c> whose serial number is
    /// <paramref name="serial"/> (leading zero bytes ignored); null when there is none or it has no name.
    /// </summary>
    public static string? FindCertificateSubject(ReadOnlySpan<byte> blob, byte[] serial)
    {
        try
        {
            foreach (byte[] encoded in ReadCertificates(blob))
            {
                using var certificate = X509CertificateLoader.LoadCertificate(encoded);
                if (TrimmedSerial(certificate.SerialNumberBytes.Span).SequenceEqual(serial))
                {
                    string name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
                    return name.Length > 0 ? name : null;
                }
            }
        }
        catch (CryptographicException)
        {
        }

        return null;
    }

    /// <summary>A serial number's bytes without leading zero bytes (one byte kept for an all-zero serial).</summary>
    public static ReadOnlySpan<byte> TrimmedSerial(ReadOnlySpan<byte> serial)
    {
        int first = 0;
        while (first < serial.Length - 1 && serial[first] == 0)
        {
            first++;
        }

        return serial[first..];
    }

    private static Pkcs7SignedData DecodeWith(ReadOnlySpan<byte> blob, int blobOffset, string path, string structure,
        AsnEncodingRules rules, bool allowNoSigner)
    {
        try
        {
            return DecodeCore(blob, blobOffset, path, structure, rules, allowNoSigner);
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException or IndexOutOfRangeException
                                      or OverflowException or InvalidOperationException)
        {
            // Safety net: the cursor already turns decoder errors into ModuleFormatException at the element's offset.
            throw new ModuleFormatException(path, blobOffset, structure, $"PKCS#7 blob does not decode: {e.Message}");
        }
    }

    private static Pkcs7SignedData DecodeCore(ReadOnlySpan<byte> blob, int blobOffset, string path, string structure,
        AsnEncodingRules rules, bool allowNoSigner)
    {
        var top = new DerCursor(blob, blobOffset, path, structure, rules, 0, blob.Length);

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
            if (allowNoSigner)
            {
                return new Pkcs7SignedData(null);
            }

            throw signerInfos.FailAt(signerInfos.Position, "SignedData has no SignerInfo");
        }

        return new Pkcs7SignedData(ReadSignerInfo(ref signerInfos, blobOffset));
    }

    private static Pkcs7SignerInfo ReadSignerInfo(ref DerCursor signerInfos, int blobOffset)
    {
        // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, [0] authenticatedAttributes OPTIONAL,
        //                           digestEncryptionAlgorithm, encryptedDigest OCTET STRING, [1] ... OPTIONAL }
        DerCursor signerInfo = signerInfos.ReadSequence("SignerInfo");
        signerInfo.ReadIntegerBytes("SignerInfo version");

        string? signer = null;
        byte[]? issuer = null;
        byte[] serial = [];
        byte[]? subjectKeyIdentifier = null;
        Asn1Tag sidTag = signerInfo.PeekTag("SignerInfo sid");
        if (sidTag.TagClass == TagClass.ContextSpecific && sidTag.TagValue == 0)
        {
            // subjectKeyIdentifier [0] IMPLICIT OCTET STRING (SignerInfo version 3): no issuer, so no signer name.
            subjectKeyIdentifier = signerInfo.ReadOctetString("SignerInfo subjectKeyIdentifier", Context(0));
        }
        else
        {
            // IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER }
            DerCursor issuerAndSerial = signerInfo.ReadSequence("SignerInfo issuerAndSerialNumber");
            DerCursor issuerName = issuerAndSerial;
            issuer = issuerName.ReadEncoded("SignerInfo issuer").ToArray();
            DerCursor issuerCursor = issuerAndSerial.ReadSequence("SignerInfo issuer");
            signer = ReadCommonName(ref issuerCursor);
            serial = SerialMagnitude(issuerAndSerial.ReadIntegerBytes("SignerInfo serialNumber"));
        }

        string digestAlgorithm = ReadAlgorithm(ref signerInfo, "SignerInfo digestAlgorithm");
        byte[]? signedAttributes = null;
        if (signerInfo.HasData && signerInfo.PeekTag("SignerInfo digestEncryptionAlgorithm") is
            { TagClass: TagClass.ContextSpecific, TagValue: 0 })
        {
            signedAttributes = signerInfo.ReadEncoded("SignerInfo authenticatedAttributes").ToArray();
        }

        string signatureAlgorithm = ReadAlgorithm(ref signerInfo, "SignerInfo digestEncryptionAlgorithm");
        byte[] encryptedDigest = signerInfo.ReadOctetString("SignerInfo encryptedDigest", null);

        return new Pkcs7SignerInfo
        {
            IssuerCommonName = signer,
            Issuer = issuer,
            KeyId = subjectKeyIdentifier ?? serial,
            SerialNumber = serial,
            SubjectKeyIdentifier = subjectKeyIdentifier,
            DigestAlgorithmOid = digestAlgorithm,
            SignatureAlgorithmOid = signatureAlgorithm,
            SignedAttributes = signedAttributes,
            EncryptedDigest = encryptedDigest,
            BlobOffset = blobOffset,
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

    /// <summary>
    /// A serial number as kmod prints it, OpenSSL's <c>BN_bn2bin(ASN1_INTEGER_to_BN(serial))</c>: the magnitude,
    /// big-endian, without DER's leading 00 sign byte (an all-zero serial gives no bytes).
    /// </summary>
    public static byte[] SerialMagnitude(ReadOnlySpan<byte> content)
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
}
