using System.CommandLine;
using System.Security.Cryptography;
using LkmKit.Formats;
using LkmKit.Formats.Signatures;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm sign [--hash sha256] --key KEY.pem --cert CERT.pem|.der [--replace] MODULE [-o OUT]</c>: appends a module
/// signature as the kernel's <c>scripts/sign-file</c> does (byte-identical for RSA keys).
/// </summary>
public static class SignCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var hash = new Option<string>("--hash") { Description = "Digest: sha1, sha256, sha384 or sha512.", DefaultValueFactory = _ => "sha256" };
        var key = new Option<string>("--key") { Description = "Private key, PEM (PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 with KBUILD_SIGN_PIN).", Required = true };
        var cert = new Option<string>("--cert") { Description = "The key's X.509 certificate, PEM or DER.", Required = true };
        var replace = new Option<bool>("--replace") { Description = "Replace the signature of an already signed module instead of refusing." };
        var output = new Option<string?>("-o", "--output") { Description = "Write the signed module here instead of replacing MODULE." };
        var module = new Argument<string>("MODULE") { Description = "The uncompressed module (.ko) to sign." };
        var command = new Command("sign", CommandHelp.Describe("Sign a Linux module like the kernel's scripts/sign-file.", "lkm sign --key key.pem --cert cert.pem mod.ko -o /tmp/mod.signed.ko"))
        {
            hash, key, cert, replace, output, module,
        };
        command.SetAction(result =>
        {
            HashAlgorithmName? algorithm = result.GetValue(hash)!.ToLowerInvariant() switch
            {
                "sha1" => HashAlgorithmName.SHA1,
                "sha256" => HashAlgorithmName.SHA256,
                "sha384" => HashAlgorithmName.SHA384,
                "sha512" => HashAlgorithmName.SHA512,
                _ => null,
            };
            if (algorithm is null)
            {
                stderr.WriteLine($"lkm sign: unsupported --hash {result.GetValue(hash)} (sha1, sha256, sha384, sha512)");
                return 2;
            }

            try
            {
                using var signingKey = ModuleSigningKey.Load(result.GetValue(key)!, result.GetValue(cert)!);
                signingKey.SignFile(result.GetValue(module)!, result.GetValue(output), algorithm.Value,
                    result.GetValue(replace));
                return 0;
            }
            catch (Exception e) when (e is ModuleFormatException or IOException or UnauthorizedAccessException or CryptographicException)
            {
                stderr.WriteLine($"lkm sign: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
