namespace LkmKit.Formats.Model;

/// <summary>A module this module needs.</summary>
/// <param name="Name">The other module's name.</param>
/// <param name="Kind">How strongly it is needed.</param>
/// <param name="MinimumVersion">Lowest acceptable version, where the format has one.</param>
/// <param name="MaximumVersion">Highest acceptable version, where the format has one.</param>
/// <param name="PreferredVersion">Preferred version, where the format has one.</param>
public sealed record ModuleDependency(
    string Name,
    DependencyKind Kind,
    string? MinimumVersion = null,
    string? MaximumVersion = null,
    string? PreferredVersion = null);

/// <summary>A symbol the module exports to the kernel and other modules.</summary>
/// <param name="Name">Symbol name.</param>
/// <param name="GplOnly">Usable only by GPL-compatible modules.</param>
/// <param name="Namespace">Symbol namespace, or null.</param>
/// <param name="Crc">Version CRC, when the module carries one.</param>
public sealed record ModuleExport(string Name, bool GplOnly = false, string? Namespace = null, uint? Crc = null);

/// <summary>A symbol the module needs from the kernel or another module.</summary>
/// <param name="Name">Symbol name.</param>
/// <param name="Crc">The version CRC the module was built against, if recorded.</param>
/// <param name="IsWeak">May stay unresolved.</param>
/// <param name="FromModule">The library or module named as its provider, where the format names one (PE imports).</param>
public sealed record ModuleImport(string Name, uint? Crc = null, bool IsWeak = false, string? FromModule = null);

/// <summary>A load-time parameter of a module.</summary>
/// <param name="Name">Parameter name.</param>
/// <param name="Type">Declared type (an open set of strings), or null.</param>
/// <param name="Description">Human description, or null.</param>
public sealed record ModuleParameter(string Name, string? Type, string? Description);

/// <summary>An entry point of the module.</summary>
/// <param name="Kind">The role.</param>
/// <param name="Symbol">The symbol name, when one is known.</param>
/// <param name="Address">The address or section offset, when known.</param>
public sealed record ModuleEntryPoint(EntryPointKind Kind, string? Symbol, ulong? Address = null);

/// <summary>A problem or observation found while reading a module.</summary>
/// <param name="Severity">How serious it is.</param>
/// <param name="Message">What was found.</param>
/// <param name="Offset">Byte offset in the file it concerns, if any.</param>
public sealed record ModuleDiagnostic(DiagnosticSeverity Severity, string Message, long? Offset = null);

/// <summary>A cryptographic signature attached to a module.</summary>
public sealed class ModuleSignature
{
    /// <summary>Signature container, e.g. <c>PKCS#7</c>, <c>X509</c>, <c>PGP</c>, <c>Authenticode</c>.</summary>
    public required string IdType { get; init; }
    /// <summary>Signer's common name, when known.</summary>
    public string? Signer { get; init; }
    /// <summary>Key identifier bytes (for PKCS#7 module signatures: the issuer serial number); read-only like the rest of the model.</summary>
    public ReadOnlyMemory<byte> KeyId { get; init; }
    /// <summary>Digest algorithm name (e.g. <c>sha256</c>).</summary>
    public string? HashAlgorithm { get; init; }
    /// <summary>Public-key algorithm name (e.g. <c>rsaEncryption</c>), when known.</summary>
    public string? SignatureAlgorithm { get; init; }
    /// <summary>The raw signature value (read-only).</summary>
    public ReadOnlyMemory<byte> SignatureBytes { get; init; }
    /// <summary>Offset of the signature blob in the (decompressed) file.</summary>
    public long Offset { get; init; }
    /// <summary>Length of the signature blob.</summary>
    public long Length { get; init; }
}
