using System.Security.Cryptography.X509Certificates;

namespace LkmKit.Formats.Signatures;

/// <summary>The result of checking one module's signature with <see cref="ModuleSignatureVerifier"/>.</summary>
public sealed record ModuleVerificationResult
{
    /// <summary>The module's path (or the name given for bytes in memory).</summary>
    public required string Path { get; init; }

    /// <summary>The outcome.</summary>
    public required ModuleSignatureStatus Status { get; init; }

    /// <summary>Why the signature is bad; <see cref="ModuleSignatureFailure.None"/> unless <see cref="Status"/> is <see cref="ModuleSignatureStatus.Bad"/>.</summary>
    public ModuleSignatureFailure Failure { get; init; }

    /// <summary>
    /// A sentence for people; starts with <c>digest mismatch</c>, <c>bad signature</c>, <c>signer not found</c>,
    /// <c>malformed trailer</c> or <c>unsupported algorithm</c> for a bad signature. Null when the status is Ok.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>The signer as <c>modinfo</c> prints it (the issuer's commonName), when the signature names one.</summary>
    public string? Signer { get; init; }

    /// <summary>The key id as <c>modinfo</c> prints <c>sig_key</c> (serial number or subjectKeyIdentifier, <c>AB:CD:…</c>).</summary>
    public string? KeyId { get; init; }

    /// <summary>The digest algorithm name, e.g. <c>sha256</c>.</summary>
    public string? HashAlgorithm { get; init; }

    /// <summary>The trusted certificate whose key made the signature (Ok), or that matched the signer (Bad).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>True when <see cref="Status"/> is <see cref="ModuleSignatureStatus.Ok"/>.</summary>
    public bool IsOk => Status == ModuleSignatureStatus.Ok;
}
