using System.Formats.Asn1;
using System.Security.Cryptography;

namespace LkmKit.Formats.Pe;

/// <summary>
/// Checks an Authenticode signature's image digest: the DigestInfo inside SpcIndirectDataContent against the hash of
/// the file without the CheckSum field, the security directory entry and the certificate table.
/// </summary>
internal static class PeAuthenticodeDigest
{
    private const string OidSpcIndirectData = "1.3.6.1.4.1.311.2.1.4";

    private static readonly Dictionary<string, HashAlgorithmName> Algorithms = new(StringComparer.Ordinal)
    {
        ["1.3.14.3.2.26"] = HashAlgorithmName.SHA1,
        ["2.16.840.1.101.3.4.2.1"] = HashAlgorithmName.SHA256,
        ["2.16.840.1.101.3.4.2.2"] = HashAlgorithmName.SHA384,
        ["2.16.840.1.101.3.4.2.3"] = HashAlgorithmName.SHA512,
    };

    /// <summary>
    /// True when the signed digest equals the file's, false when it differs, null when the blob carries no
    /// SpcIndirectDataContent digest in a supported algorithm (SHA-1/256/384/512).
    /// </summary>
    /// <param name="image">The image.</param>
    /// <param name="blob">The PKCS#7 SignedData bytes (after the WIN_CERTIFICATE header).</param>
    /// <param name="tableStart">File offset of the certificate table.</param>
    /// <param name="tableSize">Size of the certificate table.</param>
    public static bool? Matches(PeImage image, ReadOnlySpan<byte> blob, int tableStart, int tableSize)
    {
        if (!TryReadSignedDigest(blob, out var algorithm, out byte[] signed))
        {
            return null;
        }

        var data = image.Data.Span;
        int checksum = image.Headers.PEHeaderStartOffset + 64;
        int securityEntry = image.DirectoryEntryOffset(4);
        if (securityEntry + 8 > tableStart || tableStart + tableSize > data.Length)
        {
            return false;
        }

        using var hash = IncrementalHash.CreateHash(algorithm);
        hash.AppendData(data[..checksum]);
        hash.AppendData(data[(checksum + 4)..securityEntry]);
        hash.AppendData(data[(securityEntry + 8)..tableStart]);
        hash.AppendData(data[(tableStart + tableSize)..]);
        return hash.GetHashAndReset().AsSpan().SequenceEqual(signed);
    }

    // ContentInfo { signedData, [0] SignedData { version, digestAlgorithms, contentInfo { spcIndirectData,
    // [0] SpcIndirectDataContent { data, messageDigest DigestInfo { AlgorithmIdentifier, digest OCTET STRING } } } } }
    private static bool TryReadSignedDigest(ReadOnlySpan<byte> blob, out HashAlgorithmName algorithm, out byte[] digest)
    {
        algorithm = default;
        digest = [];
        try
        {
            var contentInfo = new AsnReader(blob.ToArray(), AsnEncodingRules.BER).ReadSequence();
            contentInfo.ReadObjectIdentifier();
            var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
            signedData.ReadEncodedValue();
            signedData.ReadEncodedValue();
            var inner = signedData.ReadSequence();
            if (inner.ReadObjectIdentifier() != OidSpcIndirectData)
            {
                return false;
            }

            var indirect = inner.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
            indirect.ReadEncodedValue();
            var digestInfo = indirect.ReadSequence();
            string oid = digestInfo.ReadSequence().ReadObjectIdentifier();
            digest = digestInfo.ReadOctetString();
            return Algorithms.TryGetValue(oid, out algorithm);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
