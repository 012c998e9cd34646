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

/// <summary>
/// The stand-in used until a PKCS#7 verifier is available: no signature → ENODATA; a signature but no keys given
/// (<c>--cert</c>/<c>--kernel</c>) → ENOKEY; a signature and keys → accepted without verifying, said in a note.
/// </summary>
internal sealed class StructuralSignatureCheck : ISignatureCheck
{
    public SignatureOutcome Check(KernelModule module, KernelState state)
    {
        if (module.Signature is null)
        {
            return new SignatureOutcome(Errno.ENODATA);
        }

        if (module.Signature.IdType != "PKCS#7")
        {
            return new SignatureOutcome(Errno.ENOPKG);
        }

        return state.Certificates.Count == 0 && state.KernelImage is null
            ? new SignatureOutcome(Errno.ENOKEY)
            : new SignatureOutcome(null, "model: signature present but not verified (no PKCS#7 verifier in this build)");
    }
}
