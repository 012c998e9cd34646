using Iced.Intel;

namespace LkmKit.Linker.Tests.Converting;

/// <summary>i386 code decoded and formatted with Iced (Intel syntax), for checking converter shims.</summary>
internal static class Disassembly
{
    /// <summary>Every instruction of <paramref name="code"/>, the first at address <paramref name="ip"/>.</summary>
    public static List<Instruction> Decode(byte[] code, ulong ip = 0)
    {
        var decoder = Decoder.Create(32, code, ip);
        var result = new List<Instruction>();
        while (decoder.IP < ip + (ulong)code.Length)
        {
            result.Add(decoder.Decode());
        }

        return result;
    }

    /// <summary>The instruction as Iced's Intel formatter writes it (e.g. <c>mov eax,[esp+8]</c>).</summary>
    public static string Format(Instruction instruction)
    {
        var output = new StringOutput();
        new IntelFormatter().Format(instruction, output);
        return output.ToStringAndReset();
    }
}
