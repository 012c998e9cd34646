using System.Text;

namespace LkmKit.Formats.Elf.Writing;

/// <summary>
/// The bytes of one ELF string table: a leading NUL, then every added name in the order added. Names are not shared,
/// so the table is the same whatever else goes into it; offset 0 is the empty name of the null entries.
/// </summary>
internal sealed class ElfStringTableBuilder
{
    private readonly List<byte> _bytes = [0];

    public int Length => _bytes.Count;

    public uint Add(string name)
    {
        uint offset = (uint)_bytes.Count;
        _bytes.AddRange(Encoding.UTF8.GetBytes(name));
        _bytes.Add(0);
        return offset;
    }

    public void CopyTo(Span<byte> destination) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_bytes).CopyTo(destination);
}
