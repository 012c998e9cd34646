using Iced.Intel;
using LkmKit.Formats.Elf;

namespace LkmKit.Linker.Converting;

/// <summary>
/// Assembles i386 shim code with Iced and turns its references to other symbols into REL relocations. Code refers to
/// symbol <c>k</c> (plus a small offset) through a placeholder address <see cref="Address"/> returns; after encoding at
/// address 0 the result is decoded again, and every branch target, immediate or displacement that lands on a
/// placeholder becomes R_386_PC32 or R_386_32 at the field Iced's decoder reports (Iced's own block-encoder relocation
/// report covers only 64-bit absolute addresses), with the addend written in place.
/// </summary>
internal sealed class ShimAssembler
{
    private const uint PlaceholderBase = 0x4000_0000, PlaceholderStride = 0x10_0000;

    private readonly List<RelocatableObject.Symbol> _targets = [];

    public Assembler Code { get; } = new(32);

    /// <summary>The placeholder address of <paramref name="symbol"/> + <paramref name="offset"/>.</summary>
    public uint Address(RelocatableObject.Symbol symbol, int offset = 0)
    {
        int k = _targets.IndexOf(symbol);
        if (k < 0)
        {
            k = _targets.Count;
            _targets.Add(symbol);
        }

        return (uint)(PlaceholderBase + (k * PlaceholderStride) + offset);
    }

    /// <summary>Encodes the code into <paramref name="section"/> (16-byte aligned) and records its relocations.</summary>
    /// <returns>The offset of the code in the section.</returns>
    public int EmitInto(RelocatableObject.Section section)
    {
        var writer = new BytesWriter();
        Code.Assemble(writer, 0);
        var bytes = writer.Bytes.ToArray();
        int start = section.Append(bytes, 16, fill: 0xcc); // int3 between functions
        var decoder = Decoder.Create(32, bytes, 0);
        while (decoder.IP < (ulong)bytes.Length)
        {
            var instruction = decoder.Decode();
            var fields = decoder.GetConstantOffsets(instruction);
            if (instruction.IsCallNear || instruction.IsJmpNear || instruction.IsJccNear)
            {
                if (Target(instruction.NearBranch32) is { } branch && fields.HasImmediate)
                {
                    int field = (int)instruction.IP + fields.ImmediateOffset;
                    Record(section, start + field, branch.Symbol, branch.Offset + field - (int)instruction.NextIP, RelocatableObject.R386_PC32);
                }

                continue;
            }

            if (fields.HasImmediate && fields.ImmediateSize == 4 && Target(instruction.GetImmediate(ImmediateOperand(instruction))) is { } immediate)
            {
                Record(section, start + (int)instruction.IP + fields.ImmediateOffset, immediate.Symbol, immediate.Offset, RelocatableObject.R386_32);
            }

            if (fields.HasDisplacement && fields.DisplacementSize == 4 && Target(instruction.MemoryDisplacement32) is { } memory)
            {
                Record(section, start + (int)instruction.IP + fields.DisplacementOffset, memory.Symbol, memory.Offset, RelocatableObject.R386_32);
            }
        }

        return start;
    }

    private static int ImmediateOperand(in Instruction instruction)
    {
        for (int i = 0; i < instruction.OpCount; i++)
        {
            if (instruction.GetOpKind(i) is OpKind.Immediate32 or OpKind.Immediate8to32)
            {
                return i;
            }
        }

        return 0;
    }

    private (RelocatableObject.Symbol Symbol, int Offset)? Target(ulong value)
    {
        if (value < PlaceholderBase || value >= PlaceholderBase + ((ulong)_targets.Count * PlaceholderStride))
        {
            return null;
        }

        ulong k = (value - PlaceholderBase) / PlaceholderStride;
        return (_targets[(int)k], (int)((value - PlaceholderBase) % PlaceholderStride));
    }

    private static void Record(RelocatableObject.Section section, int field, RelocatableObject.Symbol symbol, int addend, uint type)
    {
        section.WriteWord((ulong)field, addend);
        section.Relocations.Add(((ulong)field, symbol, type));
    }

    private sealed class BytesWriter : CodeWriter
    {
        public List<byte> Bytes { get; } = [];

        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
