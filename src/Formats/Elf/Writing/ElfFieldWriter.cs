using System.Buffers.Binary;

namespace LkmKit.Formats.Elf.Writing;

/// <summary>Writes ELF fields at a running position in the output, in the file's byte order and word size.</summary>
internal ref struct ElfFieldWriter(Span<byte> output, bool bigEndian, bool is64)
{
    private readonly Span<byte> _output = output;

    public int Position { get; set; }

    public readonly bool Is64 { get; } = is64;

    public void Byte(byte value) => _output[Position++] = value;

    public void Half(ushort value)
    {
        var at = _output.Slice(Position, 2);
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(at, value); else BinaryPrimitives.WriteUInt16LittleEndian(at, value);
        Position += 2;
    }

    public void Word(uint value)
    {
        var at = _output.Slice(Position, 4);
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(at, value); else BinaryPrimitives.WriteUInt32LittleEndian(at, value);
        Position += 4;
    }

    public void XWord(ulong value)
    {
        var at = _output.Slice(Position, 8);
        if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(at, value); else BinaryPrimitives.WriteUInt64LittleEndian(at, value);
        Position += 8;
    }

    /// <summary>An address, offset or size: 4 bytes in ELF32, 8 in ELF64.</summary>
    public void Native(ulong value)
    {
        if (Is64) XWord(value); else Word(checked((uint)value));
    }

    /// <summary>A signed native field (an addend).</summary>
    public void SignedNative(long value)
    {
        if (Is64) XWord((ulong)value); else Word((uint)checked((int)value));
    }
}
