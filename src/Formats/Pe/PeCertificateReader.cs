using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Signatures;

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
                // The structure name is the one PKCS#7 errors have always carried, for both containers.
                var pkcs7 = Pkcs7SignedData.Decode(blob, blobOffset, image.Path, "module signature").Signer!;
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
                    Signer = Pkcs7SignedData.FindCertificateSubject(blob, pkcs7.KeyId) ?? pkcs7.IssuerCommonName,
                    KeyId = pkcs7.KeyId,
                    HashAlgorithm = SignatureAlgorithmNames.Digest(pkcs7.DigestAlgorithmOid),
                    SignatureAlgorithm = SignatureAlgorithmNames.Signature(pkcs7.SignatureAlgorithmOid),
                    SignatureBytes = pkcs7.EncryptedDigest,
                    Offset = blobOffset,
                    Length = blob.Length,
                };
            }

            diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Info,
                $"certificate table entry of type {type} (revision 0x{revision:x4}) is not PKCS#7 signed data; not decoded", start + at));
            at += (int)Math.Min((length + 7) & ~7u, (uint)(table.Length - at));
        }

        diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, "certificate table holds no Authenticode (PKCS#7) entry", start));
        return null;
    }
}
