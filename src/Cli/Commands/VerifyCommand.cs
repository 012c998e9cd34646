using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using LkmKit.Formats;
using LkmKit.Formats.Signatures;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm verify [--cert FILE]... [--kernel IMAGE [--system-map FILE]] [--json] MODULE...</c>: checks each Linux
/// module's appended signature against trusted certificates; exit status 1 when any module is not <c>ok</c>.
/// </summary>
public static class VerifyCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var certs = new Option<string[]>("--cert") { Description = "Trusted certificate file, PEM (any number of certificates) or DER. Repeatable.", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var kernel = new Option<string?>("--kernel") { Description = "Trust the certificates built into this kernel image (vmlinuz/bzImage, arm64 Image[.gz], vmlinux)." };
        var systemMap = new Option<string?>("--system-map") { Description = "The image's System.map: read exactly system_certificate_list instead of scanning the image." };
        var json = new Option<bool>("--json") { Description = "One JSON object per module (JSON Lines): path, status, reason, signer, keyId, hashAlgorithm." };
        var listCerts = new Option<bool>("--list-certs") { Description = "Print the trusted certificates (a comment line and PEM each) before checking any module." };
        var modules = new Argument<string[]>("MODULE") { Description = "Module files (.ko, .ko.xz, .ko.zst, .ko.gz) or directories (searched recursively).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("verify", CommandHelp.Describe("Check Linux module signatures against certificates or a kernel image's built-in keys.", "lkm verify --kernel /boot/vmlinuz-$(uname -r) /lib/modules/$(uname -r)/kernel/fs/ext4/ext4.ko"))
        {
            certs, kernel, systemMap, json, listCerts, modules,
        };
        command.SetAction(result =>
        {
            var trusted = new TrustedCertificateSet();
            string? mapPath = result.GetValue(systemMap);
            string? imagePath = result.GetValue(kernel);
            if (mapPath is not null && imagePath is null)
            {
                stderr.WriteLine("lkm verify: --system-map needs --kernel");
                return 2;
            }

            try
            {
                foreach (string cert in result.GetValue(certs) ?? [])
                {
                    trusted.AddFile(cert);
                }

                if (imagePath is not null)
                {
                    trusted.AddKernelImage(imagePath, mapPath);
                }
            }
            catch (Exception e) when (e is ModuleFormatException or IOException or UnauthorizedAccessException or CryptographicException)
            {
                stderr.WriteLine($"lkm verify: {e.Message}");
                return 2;
            }

            if (trusted.Certificates.Count == 0)
            {
                stderr.WriteLine("lkm verify: no trusted certificate: give --cert FILE or --kernel IMAGE");
                return 2;
            }

            string[] given = result.GetValue(modules) ?? [];
            if (result.GetValue(listCerts))
            {
                foreach (var certificate in trusted.Certificates)
                {
                    stdout.Write($"# subject: {certificate.Subject}; serial: {certificate.SerialNumber}; " +
                        $"sha256: {Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256))}\n");
                    stdout.Write(certificate.ExportCertificatePem().ReplaceLineEndings("\n") + "\n");
                }
            }
            else if (given.Length == 0)
            {
                stderr.WriteLine("lkm verify: no MODULE given");
                return 2;
            }

            bool asJson = result.GetValue(json);
            int notOk = 0;
            foreach (var found in Formats.Discovery.ModuleDiscovery.Expand(given))
            {
                string path = found.Path;
                if (!found.IsModule)
                {
                    // A special file or a link out of the tree: said, never opened; only a path the user named fails the run.
                    stdout.Flush();
                    stderr.WriteLine($"lkm verify: {path}: {(found.Given ? "" : "skipped: ")}{found.Refusal}");
                    notOk += found.Given ? 1 : 0;
                    continue;
                }

                ModuleVerificationResult? verdict = null;
                string? error = null;
                try
                {
                    verdict = trusted.Verify(path);
                }
                catch (Exception e) when (e is ModuleFormatException or IOException or UnauthorizedAccessException)
                {
                    error = e.Message;
                }

                if (verdict?.IsOk != true)
                {
                    notOk++;
                }

                if (error is not null)
                {
                    stdout.Flush();
                    stderr.WriteLine($"lkm verify: {error}");
                }

                stdout.Write(asJson ? RenderJson(path, verdict, error) : RenderText(path, verdict, error));
            }

            stdout.Flush();
            return notOk == 0 ? 0 : 1;
        });
        return command;
    }

    internal static string StatusName(ModuleSignatureStatus status) => status switch
    {
        ModuleSignatureStatus.Ok => "ok",
        ModuleSignatureStatus.Bad => "bad",
        ModuleSignatureStatus.NoKey => "nokey",
        _ => "unsigned",
    };

    private static string RenderText(string path, ModuleVerificationResult? verdict, string? error)
    {
        if (verdict is null)
        {
            return $"{path}: error: {error}\n";
        }

        string line = $"{path}: {StatusName(verdict.Status)}";
        if (verdict.Reason is not null)
        {
            line += $": {verdict.Reason}";
        }

        if (verdict.Signer is not null || verdict.KeyId is not null)
        {
            line += $" [signer \"{verdict.Signer}\", key {verdict.KeyId}, {verdict.HashAlgorithm}]";
        }

        return line + "\n";
    }

    private static string RenderJson(string path, ModuleVerificationResult? verdict, string? error)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("path", path);
            w.WriteString("status", verdict is null ? "error" : StatusName(verdict.Status));
            w.WriteString("reason", verdict is null ? error : verdict.Reason);
            w.WriteString("signer", verdict?.Signer);
            w.WriteString("keyId", verdict?.KeyId);
            w.WriteString("hashAlgorithm", verdict?.HashAlgorithm);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
