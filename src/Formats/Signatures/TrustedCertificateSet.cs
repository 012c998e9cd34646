using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Signatures;

/// <summary>
/// The certificates a module signature may be made by: loaded from PEM or DER files, or taken from the list a
/// kernel image carries built in (<c>system_certificate_list</c>).
/// </summary>
public sealed class TrustedCertificateSet
{
    private const string Structure = "certificate file";
    private readonly List<X509Certificate2> _certificates = [];

    /// <summary>The certificates, in the order they were added.</summary>
    public IReadOnlyList<X509Certificate2> Certificates => _certificates;

    /// <summary>
    /// Checks the Linux module file at <paramref name="path"/> (compressed or not) against these certificates, as the
    /// kernel's <c>module_sig_check</c> does: the digest over the ELF image in front of the signature trailer, the signer
    /// found by issuer and serial number (or subject key identifier), the signature checked with its RSA or ECDSA key.
    /// </summary>
    /// <remarks>Safe to call from several threads at once once the set is filled.</remarks>
    /// <exception cref="ModuleFormatException">The file is empty or its compressed data is corrupt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public ModuleVerificationResult Verify(string path) => ModuleSignatureVerifier.Verify(path, this);

    /// <summary>Checks a module held in memory (compressed or not); <paramref name="path"/> names it in the result.</summary>
    /// <exception cref="ModuleFormatException">The compressed data is corrupt.</exception>
    public ModuleVerificationResult Verify(ReadOnlyMemory<byte> module, string path) => ModuleSignatureVerifier.Verify(module, path, this);

    /// <summary>Adds one certificate.</summary>
    public void Add(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        _certificates.Add(certificate);
    }

    /// <summary>
    /// Adds the certificates of a file: PEM (every <c>CERTIFICATE</c> block; other blocks such as keys are skipped)
    /// or one DER certificate.
    /// </summary>
    /// <returns>How many certificates were added.</returns>
    /// <exception cref="ModuleFormatException">The file holds no certificate or a certificate does not decode.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public int AddFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = File.ReadAllBytes(path);
        var added = LoadCertificates(bytes, path);
        _certificates.AddRange(added);
        return added.Count;
    }

    /// <summary>
    /// Adds the certificates built into a kernel image: an x86 <c>bzImage</c>/<c>vmlinuz</c> (its payload
    /// decompressed), an arm64 <c>Image</c> (possibly gzip-compressed) or a <c>vmlinux</c> ELF. With
    /// <paramref name="systemMapPath"/> the exact <c>system_certificate_list</c> is read; a <c>vmlinux</c> with a
    /// symbol table needs no map; otherwise the image is scanned for DER X.509 certificates.
    /// </summary>
    /// <returns>How many certificates were added.</returns>
    /// <exception cref="ModuleFormatException">The image is not a kernel image this library reads, or holds no certificate.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public int AddKernelImage(string imagePath, string? systemMapPath = null)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        var found = KernelImageCertificates.Read(imagePath, systemMapPath);
        foreach (byte[] der in found)
        {
            _certificates.Add(X509CertificateLoader.LoadCertificate(der));
        }

        return found.Count;
    }

    /// <summary>Decodes a PEM or DER certificate file's contents.</summary>
    internal static List<X509Certificate2> LoadCertificates(ReadOnlySpan<byte> bytes, string path)
    {
        var certificates = new List<X509Certificate2>();
        if (LooksLikePem(bytes))
        {
            string text = Encoding.ASCII.GetString(bytes);
            ReadOnlySpan<char> rest = text;
            int consumed = 0;
            while (PemEncoding.TryFind(rest, out PemFields fields))
            {
                if (rest[fields.Label].SequenceEqual("CERTIFICATE") || rest[fields.Label].SequenceEqual("X509 CERTIFICATE"))
                {
                    byte[] der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
                    certificates.Add(Load(der, path, consumed + fields.Location.Start.Value));
                }

                consumed += fields.Location.End.Value;
                rest = rest[fields.Location.End.Value..];
            }

            if (certificates.Count == 0)
            {
                throw new ModuleFormatException(path, 0, Structure, "PEM file holds no CERTIFICATE block");
            }

            return certificates;
        }

        certificates.Add(Load(bytes, path, 0));
        return certificates;
    }

    private static X509Certificate2 Load(ReadOnlySpan<byte> der, string path, long offset)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw new ModuleFormatException(path, offset, Structure, $"not a PEM or DER X.509 certificate: {e.Message}");
        }
    }

    // A DER certificate starts with a SEQUENCE tag; PEM may have explanatory text before its first block.
    private static bool LooksLikePem(ReadOnlySpan<byte> bytes) =>
        (bytes.IsEmpty || bytes[0] != 0x30) && bytes.IndexOf("-----BEGIN "u8) >= 0;
}
