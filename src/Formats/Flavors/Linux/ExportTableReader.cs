using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.Linux;

/// <summary>
/// Reads the export tables <c>__ksymtab</c> and <c>__ksymtab_gpl</c>: each entry's value, name and namespace
/// fields are resolved through their relocations (PREL32 or absolute pointers); CRCs come from the
/// <c>__kcrctab</c> table of the same index.
/// </summary>
internal static class ExportTableReader
{
    private static readonly (string Table, bool Gpl)[] Tables =
    [
        ("__ksymtab", false), ("__ksymtab_gpl", true), ("__ksymtab_unused", false), ("__ksymtab_unused_gpl", true), ("__ksymtab_gpl_future", false),
    ];

    /// <summary>Reads every export; problems with single entries become diagnostics on <paramref name="module"/>.</summary>
    public static List<ModuleExport> Read(ElfFile elf, KernelModule module)
    {
        var exports = new List<ModuleExport>();
        Dictionary<int, int>? labelCounts = null;
        foreach (var (tableName, gpl) in Tables)
        {
            int index = elf.FindSection(tableName);
            if (index < 0 || elf.Sections[index].Size == 0)
            {
                continue;
            }

            labelCounts ??= CountKsymtabLabels(elf);
            ReadTable(elf, module, index, gpl, labelCounts.GetValueOrDefault(index), tableName, exports);
        }

        return exports;
    }

    private static void ReadTable(ElfFile elf, KernelModule module, int index, bool gpl, int labels, string tableName, List<ModuleExport> exports)
    {
        var pointers = new ElfPointerReader(elf);
        ulong size = elf.Sections[index].Size;
        if (!pointers.TryGetRelocation(index, 0, out var first))
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"{tableName} has no relocation for its first entry; exports not read", (long)elf.Sections[index].Offset));
            return;
        }

        ulong field = first.Kind == RelocationKind.PcRelative && first.Width == 32 ? 4UL : (ulong)(elf.Is64 ? 8 : 4);
        ulong entrySize = labels > 0 && size % (ulong)labels == 0 ? size / (ulong)labels
            : size % (3 * field) == 0 ? 3 * field : 2 * field;
        if (entrySize < 2 * field)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"{tableName}: cannot determine the entry size", (long)elf.Sections[index].Offset));
            return;
        }

        var crcs = ReadCrcTable(elf, "__kcrctab" + tableName["__ksymtab".Length..]);
        ulong count = size / entrySize;
        for (ulong i = 0; i < count; i++)
        {
            ulong at = i * entrySize;
            string? name = pointers.TryResolve(index, at + field, tableName, out var nameTarget)
                ? pointers.ReadString(nameTarget, $"{tableName} entry {i} name")
                : pointers.RelocationSymbolName(index, at);
            if (string.IsNullOrEmpty(name))
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"{tableName} entry {i} has no name", (long)(elf.Sections[index].Offset + at)));
                continue;
            }

            string? ns = null;
            if (entrySize >= 3 * field && pointers.TryResolve(index, at + 2 * field, tableName, out var nsTarget))
            {
                ns = pointers.ReadString(nsTarget, $"{tableName} entry {i} namespace");
            }

            uint? crc = i < (ulong)crcs.Length ? crcs[i] : null;
            exports.Add(new ModuleExport(name, gpl, string.IsNullOrEmpty(ns) ? null : ns, crc));
        }
    }

    private static uint[] ReadCrcTable(ElfFile elf, string name)
    {
        int index = elf.FindSection(name);
        if (index < 0)
        {
            return [];
        }

        var span = elf.GetSectionBytes(index);
        var result = new uint[span.Length / 4];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = elf.Reader.U32(span, i * 4);
        }

        return result;
    }

    private static Dictionary<int, int> CountKsymtabLabels(ElfFile elf)
    {
        var counts = new Dictionary<int, int>();
        int tableIndex = elf.FindSectionOfType(ElfConstants.ShtSymTab);
        if (tableIndex < 0)
        {
            return counts;
        }

        var symbols = elf.GetSymbolTable(tableIndex);
        ReadOnlySpan<byte> prefix = "__ksymtab_"u8;
        var entries = symbols.Bytes;
        var strings = symbols.StringBytes;
        for (int i = 1; i < symbols.Count; i++)
        {
            var symbol = symbols.Read(entries, i);
            if (symbol.IsUndefined || symbol.RawSectionIndex >= ElfConstants.ShnLoReserve && symbol.RawSectionIndex != ElfConstants.ShnXIndex)
            {
                continue;
            }

            if (symbols.GetNameBytes(strings, symbol).StartsWith(prefix))
            {
                counts[(int)symbol.SectionIndex] = counts.GetValueOrDefault((int)symbol.SectionIndex) + 1;
            }
        }

        return counts;
    }
}
