namespace LkmKit.Formats.Signatures;

/// <summary>The decoded first <c>SignerInfo</c> of a PKCS#7 SignedData.</summary>
internal sealed class Pkcs7SignerInfo
{
    /// <summary>The issuer's first commonName (what kmod prints as <c>signer</c>); null for a subjectKeyIdentifier sid.</summary>
    public string? IssuerCommonName { get; init; }

    /// <summary>The issuer Name's DER encoding; null when the signer is named by subjectKeyIdentifier.</summary>
    public byte[]? Issuer { get; init; }

    /// <summary>The serial number's magnitude (see <see cref="Pkcs7SignedData.SerialMagnitude"/>); empty for a subjectKeyIdentifier sid.</summary>
    public byte[] SerialNumber { get; init; } = [];

    /// <summary>The subjectKeyIdentifier when the sid is one (SignerInfo version 3).</summary>
    public byte[]? SubjectKeyIdentifier { get; init; }

    /// <summary>What identifies the key: the subjectKeyIdentifier, else the serial number (kmod's <c>sig_key</c>).</summary>
    public byte[] KeyId { get; init; } = [];

    /// <summary>The digestAlgorithm OID.</summary>
    public required string DigestAlgorithmOid { get; init; }

    /// <summary>The digestEncryptionAlgorithm (signatureAlgorithm) OID.</summary>
    public required string SignatureAlgorithmOid { get; init; }

    /// <summary>The authenticatedAttributes element as encoded (tag [0]), or null when there are none.</summary>
    public byte[]? SignedAttributes { get; init; }

    /// <summary>The encryptedDigest (signature value).</summary>
    public byte[] EncryptedDigest { get; init; } = [];

    /// <summary>Offset of the PKCS#7 blob in its file.</summary>
    public int BlobOffset { get; init; }
}
