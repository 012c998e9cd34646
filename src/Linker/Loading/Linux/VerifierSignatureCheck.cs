using LkmKit.Formats;
using LkmKit.Formats.Model;
using LkmKit.Formats.Signatures;

namespace LkmKit.Linker.Loading.Linux;

/// <summary>
/// module_sig_check through <see cref="ModuleSignatureVerifier"/> (the code of <c>lkm verify</c>) against the kernel's
/// keys: the <c>--cert</c> files and the certificates built into the <c>--kernel</c> image.
/// </summary>
internal sealed class VerifierSignatureCheck : ISignatureCheck
{
    private TrustedCertificateSet? _trusted;

    public SignatureOutcome Check(KernelModule module, KernelState state)
    {
        if (_trusted is null)
        {
            _trusted = new TrustedCertificateSet();
            try
            {
                foreach (var cert in state.Certificates)
                {
                    _trusted.AddFile(cert);
                }

                if (state.KernelImage is { } image)
                {
                    string? map = state.SymbolFiles.FirstOrDefault(f => Path.GetFileName(f).StartsWith("System.map", StringComparison.Ordinal));
                    _trusted.AddKernelImage(image, map);
                }
            }
            catch (Exception e) when (e is ModuleFormatException or IOException)
            {
                throw new LoaderException($"the kernel's keys cannot be read: {e.Message}");
            }
        }

        var result = _trusted.Verify(module.Path);
        return result.Status switch
        {
            ModuleSignatureStatus.Ok => SignatureOutcome.Valid,
            ModuleSignatureStatus.Unsigned => new SignatureOutcome(Errno.ENODATA),
            ModuleSignatureStatus.NoKey => new SignatureOutcome(Errno.ENOKEY, result.Reason),
            _ => result.Failure switch
            {
                ModuleSignatureFailure.MalformedTrailer => new SignatureOutcome(Errno.EBADMSG, result.Reason),
                ModuleSignatureFailure.UnsupportedAlgorithm => new SignatureOutcome(Errno.ENOPKG, result.Reason),
                _ => new SignatureOutcome(Errno.EKEYREJECTED, result.Reason),
            },
        };
    }
}
