using System.Collections;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf;

/// <summary>
/// The model's relocations of one REL/RELA section, decoded from the file on access instead of copied into an array:
/// a tree of modules has millions of relocations, and a linker reads each once. An entry whose symbol index is out of
/// range, or whose implicit addend lies outside its section, throws <see cref="ModuleFormatException"/> when read.
/// </summary>
internal sealed class ElfRelocationList(ElfFile elf, ElfRelocationTable table, MachineArchitecture machine, int target, int symbolCount, string name)
    : IReadOnlyList<ModuleRelocation>
{
    /// <inheritdoc />
    public int Count => table.Count;

    /// <inheritdoc />
    public ModuleRelocation this[int index]
    {
        get
        {
            if ((uint)index >= (uint)table.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            var entry = table[index];
            long entryOffset = table.FileOffset + (long)index * table.EntrySize;
            if (entry.SymbolIndex >= symbolCount && entry.SymbolIndex != 0)
            {
                throw new ModuleFormatException(elf.Path, entryOffset, $"relocation {index} of {name}",
                    $"symbol index {entry.SymbolIndex} is out of range (the symbol table has {symbolCount} entries)");
            }

            var info = ElfRelocationTypes.Describe(machine, entry.Type);
            long addend = table.IsRela ? entry.Addend : ElfModelBuilder.ReadImplicitAddend(elf, target, entry, info, entryOffset, name, index);
            return new ModuleRelocation(entry.Offset, entry.SymbolIndex, info.Kind, info.Width, addend, !table.IsRela, machine, entry.Type);
        }
    }

    /// <inheritdoc />
    public IEnumerator<ModuleRelocation> GetEnumerator()
    {
        for (int i = 0; i < table.Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
