using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Pe;

/// <summary>
/// Reads the security (certificate) directory: WIN_CERTIFICATE entries {dwLength u32, wRevision u16,
/// wCertificateType u16, bCertificate[]}, each padded to 8 bytes. The directory's first field is a file offset,
/// not an RVA. The first PKCS_SIGNED_DATA entry (Authenticode) is decoded and its image digest checked
/// (a diagnostic says whether it matches); the certificate chain is not verified.
/// </summary>
internal static class PeCertificateReader
{
    private const int DirectoryIndex = 4;
    private const int HeaderSize = 8;
    private const ushort PkcsSignedData = 2;
    private const string Structure = "PE certificate table";

    /// <summary>
    /// The Authenticode signature, or null when the image has no certificate table. <see cref="ModuleSignature.Signer"/>
    /// is the signing certificate's subject common name when the certificate is in the blob, else the issuer's (as
    /// for Linux module signatures); <see cref="ModuleSignature.KeyId"/> is the signer's serial number.
    /// </summary>
    /// <exception cref="ModuleFormatException">The table lies outside the file, an entry's length is out of range, or the PKCS#7 blob does not decode.</exception>
    public static ModuleSignature? Read(PeImage image, IList<ModuleDiagnostic> diagnostics)
    {
        var directory = image.Header.CertificateTableDirectory;
        if (directory.Size == 0)
        {
            return null;
        }

        var reader = image.Reader;
        var span = image.Data.Span;
        uint start = (uint)directory.RelativeVirtualAddress;
        uint size = (uint)directory.Size;
        int entryField = image.DirectoryEntryOffset(DirectoryIndex);
        if (start > (uint)span.Length || size > (uint)span.Length - start)
        {
            throw new ModuleFormatException(image.Path, entryField, Structure,
                $"file range 0x{start:x}+0x{size:x} runs past the end of the file (0x{span.Length:x} bytes)");
        }

        var table = span.Slice((int)start, (int)size);
        for (int at = 0; table.Length - at >= HeaderSize;)
        {
            uint length = reader.U32(table, at);
            ushort revision = reader.U16(table, at + 4);
            ushort type = reader.U16(table, at + 6);
            if (length < HeaderSize || length > (uint)(table.Length - at))
            {
                throw new ModuleFormatException(image.Path, start + at, Structure,
                    $"WIN_CERTIFICATE length {length} is below its 8-byte header or runs past the table ({table.Length - at} bytes left)");
            }

            int blobOffset = (int)start + at + HeaderSize;
            if (type == PkcsSignedData)
            {
                var blob = table.Slice(at + HeaderSize, (int)length - HeaderSize);
                var pkcs7 = ModuleSignatureReader.ReadPkcs7(blob, blobOffset, image.Path);
                switch (PeAuthenticodeDigest.Matches(image, blob, (int)start, (int)size))
                {
                    case true:
                        diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Info, "Authenticode image digest matches the file", blobOffset));
                        break;
                    case false:
                        diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, "Authenticode image digest does not match the file", blobOffset));
                        break;
                }

                return new ModuleSignature
                {
                    IdType = "Authenticode",
                    Signer = SignerSubject(blob, pkcs7.KeyId) ?? pkcs7.Signer,
                    KeyId = pkcs7.KeyId,
                    HashAlgorithm = pkcs7.HashAlgorithm,
                    SignatureAlgorithm = pkcs7.SignatureAlgorithm,
                    SignatureBytes = pkcs7.SignatureBytes,
                    Offset = pkcs7.Offset,
                    Length = pkcs7.Length,
                };
            }

            diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Info,
                $"certificate table entry of type {type} (revision 0x{revision:x4}) is not PKCS#7 signed data; not decoded", start + at));
            at += (int)Math.Min((length + 7) & ~7u, (uint)(table.Length - at));
        }

        diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, "certificate table holds no Authenticode (PKCS#7) entry", start));
        return null;
    }

    // The subject CN of the certificate in SignedData.certificates whose serial number is the signer's.
    private static string? SignerSubject(ReadOnlySpan<byte> blob, byte[] serial)
    {
        try
        {
            var contentInfo = new AsnReader(blob.ToArray(), AsnEncodingRules.BER).ReadSequence();
            contentInfo.ReadObjectIdentifier();
            var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
            signedData.ReadEncodedValue(); // version
            signedData.ReadEncodedValue(); // digestAlgorithms
            signedData.ReadEncodedValue(); // contentInfo
            if (!signedData.HasData || !signedData.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                return null;
            }

            var certificates = signedData.ReadSetOf(skipSortOrderValidation: true, expectedTag: new Asn1Tag(TagClass.ContextSpecific, 0));
            while (certificates.HasData)
            {
                var encoded = certificates.ReadEncodedValue();
                using var certificate = X509CertificateLoader.LoadCertificate(encoded.Span);
                if (TrimmedSerial(certificate.SerialNumberBytes.Span).SequenceEqual(serial))
                {
                    string name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
                    return name.Length > 0 ? name : null;
                }
            }
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            // The signer name is a courtesy on top of the decoded SignerInfo: fall back to the issuer's name.
        }

        return null;
    }

    private static ReadOnlySpan<byte> TrimmedSerial(ReadOnlySpan<byte> serial)
    {
        int first = 0;
        while (first < serial.Length - 1 && serial[first] == 0)
        {
            first++;
        }

        return serial[first..];
    }
}
