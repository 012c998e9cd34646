using LkmKit.Formats.Signatures;

namespace LkmKit.Formats.Tests;

/// <summary>Paths into testdata/signatures and trusted sets built from its keys.</summary>
internal static class SignatureFixtures
{
    public static string Module(string name) => RepoPaths.TestData("signatures", "modules", $"min.{name}.ko");

    public static string Certificate(string key, string extension = "pem") => RepoPaths.TestData("signatures", "keys", $"{key}.crt.{extension}");

    public static string Key(string key) => RepoPaths.TestData("signatures", "keys", $"{key}.key.pem");

    public static string Kernel(string name) => RepoPaths.TestData("signatures", "kernel", name);

    public static TrustedCertificateSet Trust(params string[] keys)
    {
        var set = new TrustedCertificateSet();
        foreach (string key in keys)
        {
            set.AddFile(Certificate(key));
        }

        return set;
    }
}
