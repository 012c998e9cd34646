using System.Security.Cryptography;

namespace LkmKit.Formats.Signatures;

/// <summary>Names for the algorithm OIDs a SignerInfo carries: OpenSSL's short names, as kmod prints them.</summary>
internal static class SignatureAlgorithmNames
{
    public static readonly IReadOnlyDictionary<string, string> DigestNames = new Dictionary<string, string>(StringComparer.Ordinal)
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
    public static readonly IReadOnlyDictionary<string, string> SignatureNames = new Dictionary<string, string>(StringComparer.Ordinal)
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

    /// <summary>The digest name for <paramref name="oid"/>, or the OID itself when unknown.</summary>
    public static string Digest(string oid) => DigestNames.GetValueOrDefault(oid, oid);

    /// <summary>The signature algorithm name for <paramref name="oid"/>, or the OID itself when unknown.</summary>
    public static string Signature(string oid) => SignatureNames.GetValueOrDefault(oid, oid);

    /// <summary>The .NET hash algorithm for a digest OID, when .NET can compute it (SHA-1, SHA-256, SHA-384, SHA-512).</summary>
    public static HashAlgorithmName? Hash(string digestOid) => Digest(digestOid) switch
    {
        "sha1" => HashAlgorithmName.SHA1,
        "sha256" => HashAlgorithmName.SHA256,
        "sha384" => HashAlgorithmName.SHA384,
        "sha512" => HashAlgorithmName.SHA512,
        _ => null,
    };

    /// <summary>The digest OID for a .NET hash algorithm (SHA-1, SHA-256, SHA-384, SHA-512).</summary>
    /// <exception cref="ArgumentException">Another algorithm.</exception>
    public static string DigestOid(HashAlgorithmName hash)
    {
        string name = hash.Name?.ToLowerInvariant() ?? "";
        return name is "sha1" or "sha256" or "sha384" or "sha512"
            ? DigestNames.First(pair => pair.Value == name).Key
            : throw new ArgumentException($"hash {hash.Name} is not one of SHA1, SHA256, SHA384, SHA512", nameof(hash));
    }
}
