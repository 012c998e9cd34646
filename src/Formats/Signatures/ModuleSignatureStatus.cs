namespace LkmKit.Formats.Signatures;

/// <summary>The outcome of checking a Linux module's appended signature.</summary>
public enum ModuleSignatureStatus
{
    /// <summary>The signature is valid and made by a trusted certificate's key.</summary>
    Ok,

    /// <summary>The module carries a signature that is wrong or unreadable; <see cref="ModuleSignatureFailure"/> says why.</summary>
    Bad,

    /// <summary>The signature names a key that no trusted certificate holds (the kernel's <c>-ENOKEY</c>).</summary>
    NoKey,

    /// <summary>The module carries no signature trailer.</summary>
    Unsigned,
}

/// <summary>Why a signature is <see cref="ModuleSignatureStatus.Bad"/>.</summary>
public enum ModuleSignatureFailure
{
    /// <summary>Not bad.</summary>
    None,

    /// <summary>The module's digest differs from the one the signature was made over (the module changed).</summary>
    DigestMismatch,

    /// <summary>The signature value does not verify with the signer's public key.</summary>
    BadSignature,

    /// <summary>The PKCS#7 SignedData holds no SignerInfo, so there is no signer to check.</summary>
    SignerNotFound,

    /// <summary>The trailer or its PKCS#7 blob is malformed, or uses a legacy (non-PKCS#7) id type.</summary>
    MalformedTrailer,

    /// <summary>The digest or signature algorithm is one this library does not check (e.g. SHA-224, RSA-PSS, SM2).</summary>
    UnsupportedAlgorithm,
}
