using LkmKit.Formats.Model;

namespace LkmKit.Linker.Loading.Linux;

/// <summary>What module_sig_check concluded about a module's appended signature.</summary>
/// <param name="Errno">0-like <c>null</c> when the signature verified; else the error mod_verify_sig returned.</param>
/// <param name="Note">What the model could not do (e.g. no verifier), shown with the event.</param>
internal sealed record SignatureOutcome(string? Errno, string? Note = null)
{
    public static readonly SignatureOutcome Valid = new((string?)null);

    /// <summary>Errors that only mean "unsigned" (missing marker, unknown key, unsupported id type): not fatal unless enforcing.</summary>
    public bool MeansUnsigned => Errno is Loading.Errno.ENODATA or Loading.Errno.ENOKEY or Loading.Errno.ENOPKG;
}

/// <summary>The signature step of a Linux load, kept behind a seam so the verifier can be swapped in.</summary>
internal interface ISignatureCheck
{
    SignatureOutcome Check(KernelModule module, KernelState state);
}
