using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Signatures;

/// <summary>
/// A private key and its X.509 certificate, the pair <c>sign-file</c> takes: the key from a PEM file (PKCS#8,
/// PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 with the password in <c>KBUILD_SIGN_PIN</c>, as sign-file reads it), the
/// certificate from a PEM or DER file (which may be the same file as the key, like the kernel's <c>signing_key.pem</c>).
/// </summary>
public sealed class ModuleSigningKey : IDisposable
{
    private const string Structure = "signing key";

    private ModuleSigningKey(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        Certificate = certificate;
        Key = key;
    }

    /// <summary>The signer's certificate (its issuer and serial number name the signer in the signature).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// The module with a Linux signature appended, byte for byte what the kernel's <c>scripts/sign-file</c> writes for an
    /// RSA key (a detached PKCS#7 SignedData, the 12-byte <c>struct module_signature</c> and the
    /// <c>~Module signature appended~</c> marker). <paramref name="module"/> is the uncompressed ELF module.
    /// </summary>
    /// <param name="module">The module bytes.</param>
    /// <param name="path">The module's name, for errors.</param>
    /// <param name="hash">SHA-1, SHA-256, SHA-384 or SHA-512.</param>
    /// <param name="replaceSignature">When the module is already signed: true replaces its signature, false refuses.</param>
    /// <exception cref="ModuleFormatException">The module is compressed, not ELF, already signed (and
    /// <paramref name="replaceSignature"/> is false), or carries a malformed trailer.</exception>
    public byte[] Sign(ReadOnlySpan<byte> module, string path, HashAlgorithmName hash, bool replaceSignature = false) =>
        ModuleSigner.Sign(module, path, this, hash, replaceSignature);

    /// <summary>
    /// Signs the file <paramref name="inputPath"/> and writes the result to <paramref name="outputPath"/> (the input
    /// itself when null) through a temporary file renamed over the target, so a reader never sees a half-written module.
    /// </summary>
    /// <exception cref="ModuleFormatException">As for <see cref="Sign"/>.</exception>
    /// <exception cref="IOException">A file cannot be read or written.</exception>
    public void SignFile(string inputPath, string? outputPath, HashAlgorithmName hash, bool replaceSignature = false) =>
        ModuleSigner.SignFile(inputPath, outputPath, this, hash, replaceSignature);

    /// <summary>The private key: an <see cref="RSA"/> or an <see cref="ECDsa"/>.</summary>
    internal AsymmetricAlgorithm Key { get; }

    /// <summary>Loads the key and certificate files and checks that they belong together.</summary>
    /// <exception cref="ModuleFormatException">A file holds no usable key or certificate, or the key is not the certificate's.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static ModuleSigningKey Load(string keyPath, string certificatePath)
    {
        ArgumentNullException.ThrowIfNull(keyPath);
        ArgumentNullException.ThrowIfNull(certificatePath);
        X509Certificate2 certificate = TrustedCertificateSet.LoadCertificates(File.ReadAllBytes(certificatePath), certificatePath)[0];
        string pem = File.ReadAllText(keyPath);
        AsymmetricAlgorithm key = LoadKey(pem, keyPath, certificate);
        return new ModuleSigningKey(certificate, key);
    }

    private static AsymmetricAlgorithm LoadKey(string pem, string path, X509Certificate2 certificate)
    {
        using RSA? certificateRsa = certificate.GetRSAPublicKey();
        using ECDsa? certificateEc = certificate.GetECDsaPublicKey();
        AsymmetricAlgorithm key = certificateRsa is not null ? RSA.Create()
            : certificateEc is not null ? ECDsa.Create()
            : throw new ModuleFormatException(path, 0, Structure, "the certificate's key is neither RSA nor ECDSA");
        try
        {
            string? pin = Environment.GetEnvironmentVariable("KBUILD_SIGN_PIN");
            if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
            {
                key.ImportFromEncryptedPem(pem, pin ?? throw new ModuleFormatException(path, 0, Structure,
                    "the key is encrypted; put its password in KBUILD_SIGN_PIN"));
            }
            else
            {
                key.ImportFromPem(pem);
            }
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ModuleFormatException(path, 0, Structure,
                $"no {(certificateRsa is not null ? "RSA" : "EC")} private key matching the certificate's key type: {e.Message}");
        }

        byte[] keyPublic = key.ExportSubjectPublicKeyInfo();
        byte[] certificatePublic = certificate.PublicKey.ExportSubjectPublicKeyInfo();
        if (!keyPublic.AsSpan().SequenceEqual(certificatePublic))
        {
            key.Dispose();
            throw new ModuleFormatException(path, 0, Structure, "the private key does not belong to the certificate");
        }

        return key;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Key.Dispose();
        Certificate.Dispose();
    }
}
