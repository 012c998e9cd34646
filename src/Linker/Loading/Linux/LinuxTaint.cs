namespace LkmKit.Linker.Loading.Linux;

/// <summary>Linux taint letters in bit order (include/linux/panic.h), so a set of them prints as the kernel prints it.</summary>
internal static class LinuxTaint
{
    private const string Order = "PFSRMBUDAWCIOELKXTN";

    public const char Proprietary = 'P', Forced = 'F', ForcedRmmod = 'R', Crap = 'C', OutOfTree = 'O', Unsigned = 'E', Livepatch = 'K', Test = 'N';

    /// <summary><paramref name="letters"/> with <paramref name="letter"/> added, in the kernel's order.</summary>
    public static string Add(string letters, char letter) =>
        letters.Contains(letter) ? letters : new string((letters + letter).OrderBy(c => Order.IndexOf(c)).ToArray());

    /// <summary>The union of two taint strings.</summary>
    public static string Union(string a, string b) => b.Aggregate(a, Add);
}
