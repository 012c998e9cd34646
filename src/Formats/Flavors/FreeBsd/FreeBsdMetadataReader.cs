using LkmKit.Formats.Elf;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>
/// Reads the <c>modmetadata_set</c> linker set of a FreeBSD module as <c>kldxref</c> does: every set entry, the
/// <c>mod_metadata</c> it points to, its name and its payload, each pointer resolved through its relocation
/// (ET_REL) or dynamic relocation at base 0 (ET_DYN).
/// </summary>
internal static class FreeBsdMetadataReader
{
    /// <summary>The section holding the linker set.</summary>
    public const string SetSection = "set_modmetadata_set";

    /// <summary>Upper bound on a PnP table, as kldxref's record buffer (64 KiB) cannot hold more anyway.</summary>
    private const long MaxPnpTableBytes = 1 << 20;

    /// <summary>Decodes every record of the set; diagnostics go to <paramref name="diagnostics"/>.</summary>
    public static List<FreeBsdMetadataRecord> Read(ElfFile elf, ElfPointerReader reader, IList<ModuleDiagnostic> diagnostics)
    {
        int set = elf.FindSection(SetSection);
        var header = elf.Sections[set];
        int pointer = reader.PointerSize;
        if (header.Size % (ulong)pointer != 0)
        {
            throw new ModuleFormatException(elf.Path, (long)header.Offset, SetSection,
                $"size 0x{header.Size:x} is not a whole number of {pointer}-byte pointers");
        }

        var records = new List<FreeBsdMetadataRecord>();
        int count = (int)(header.Size / (ulong)pointer);
        for (int i = 0; i < count; i++)
        {
            string structure = $"{SetSection} entry {i}";
            var target = reader.ReadPointer(set, (ulong)(i * pointer), structure)
                ?? throw new ModuleFormatException(elf.Path, reader.FileOffsetOf(set, (ulong)(i * pointer)), structure, "is a NULL pointer");
            records.Add(ReadRecord(reader, target, i, diagnostics));
        }

        return records;
    }

    private static FreeBsdMetadataRecord ReadRecord(ElfPointerReader reader, RelocatedTarget at, int index, IList<ModuleDiagnostic> diagnostics)
    {
        string structure = $"mod_metadata {index}";
        int pointer = reader.PointerSize;
        reader.Read(at, 2 * 4 + 2 * pointer, structure);
        int version = reader.ReadInt32(at, 0, structure);
        int type = reader.ReadInt32(at, 4, structure);
        var data = reader.ReadPointer(at, 8, structure + " md_data");
        var cval = reader.ReadPointer(at, (ulong)(8 + pointer), structure + " md_cval")
            ?? throw new ModuleFormatException(reader.File.Path, reader.FileOffsetOf(at.SectionIndex, at.Offset), structure, "md_cval is a NULL pointer");
        string name = reader.ReadString(cval, structure + " md_cval");
        if (version != 1)
        {
            diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"mod_metadata {index} ({name}) has md_version {version}, expected 1"));
        }

        var record = new FreeBsdMetadataRecord { Index = index, StructVersion = version, RawType = type, Name = name, Address = reader.AddressOf(at) };
        if (data is not { } payload)
        {
            if (type is >= 1 and <= 4)
            {
                diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"mod_metadata {index} ({name}) has a NULL md_data"));
            }

            return record;
        }

        string what = $"{structure} ({name}) md_data";
        switch ((FreeBsdMetadataType)type)
        {
            case FreeBsdMetadataType.Depend:
                return CopyWith(record, depend: new FreeBsdDependRange(reader.ReadInt32(payload, 0, what), reader.ReadInt32(payload, 4, what), reader.ReadInt32(payload, 8, what)),
                    symbol: reader.SymbolName(at));
            case FreeBsdMetadataType.Version:
                return CopyWith(record, version: reader.ReadInt32(payload, 0, what));
            case FreeBsdMetadataType.Module:
                return CopyWith(record, module: ReadModuleData(reader, payload, what));
            case FreeBsdMetadataType.PnpInfo:
                return CopyWith(record, pnp: ReadPnp(reader, payload, what, diagnostics));
            default:
                diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"mod_metadata {index} ({name}) has unknown md_type {type}"));
                return record;
        }
    }

    private static FreeBsdMetadataRecord CopyWith(FreeBsdMetadataRecord r, FreeBsdDependRange? depend = null, int? version = null,
        FreeBsdModuleData? module = null, FreeBsdPnpInfo? pnp = null, string? symbol = null) => new()
    {
        Index = r.Index, StructVersion = r.StructVersion, RawType = r.RawType, Name = r.Name, Address = r.Address,
        Depend = depend, Version = version, Module = module, Pnp = pnp, Symbol = symbol,
    };

    private static FreeBsdModuleData ReadModuleData(ElfPointerReader reader, RelocatedTarget at, string structure)
    {
        ulong pointer = (ulong)reader.PointerSize;
        reader.Read(at, 3 * (int)pointer, structure);
        var name = reader.ReadPointer(at, 0, structure + " name");
        var handler = reader.ReadPointer(at, pointer, structure + " evhand");
        string? handlerName = handler is { } h ? reader.SymbolName(h) : null;
        ulong? address = handler is { SectionIndex: >= 0 } hh ? reader.AddressOf(hh) : null;
        return new FreeBsdModuleData(name is { } n ? reader.ReadString(n, structure + " name") : null, handlerName, address);
    }

    private static FreeBsdPnpInfo ReadPnp(ElfPointerReader reader, RelocatedTarget at, string structure, IList<ModuleDiagnostic> diagnostics)
    {
        int pointer = reader.PointerSize;
        reader.Read(at, 3 * pointer + 8, structure);
        string descriptor = reader.ReadPointer(at, 0, structure + " descr") is { } d ? reader.ReadString(d, structure + " descr") : "";
        string bus = reader.ReadPointer(at, (ulong)pointer, structure + " bus") is { } b ? reader.ReadString(b, structure + " bus") : "";
        var table = reader.ReadPointer(at, (ulong)(2 * pointer), structure + " table");
        int entryLength = reader.ReadInt32(at, (ulong)(3 * pointer), structure);
        int entryCount = reader.ReadInt32(at, (ulong)(3 * pointer + 4), structure);
        long fileOffset = reader.FileOffsetOf(at.SectionIndex, at.Offset);
        if (entryLength < 0 || entryCount < 0 || (long)entryLength * entryCount > MaxPnpTableBytes)
        {
            throw new ModuleFormatException(reader.File.Path, fileOffset, structure,
                $"entry_len {entryLength} and num_entry {entryCount} do not describe a plausible table");
        }

        var entries = new List<IReadOnlyList<FreeBsdPnpValue>>();
        if (!PnpDescriptor.TryParse(descriptor, pointer, out var fields, out string converted, out string? error))
        {
            diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"PnP descriptor '{descriptor}' for bus {bus}: {error}; table not decoded", fileOffset));
        }
        else if (entryCount > 0)
        {
            var place = table ?? throw new ModuleFormatException(reader.File.Path, fileOffset, structure, $"table is a NULL pointer but num_entry is {entryCount}");
            // The entries must be bytes of the file: an entry_len of 0 (or a table in a section without contents)
            // would let a tiny file describe millions of entries.
            if (entryLength == 0 || place.SectionIndex < 0 || place.SectionIndex >= reader.File.Sections.Length
                || !reader.File.Sections[place.SectionIndex].HasContents)
            {
                throw new ModuleFormatException(reader.File.Path, fileOffset, structure,
                    $"num_entry {entryCount} with entry_len {entryLength} does not describe a table stored in the file");
            }

            reader.Read(place, entryLength * entryCount, structure + " table");
            foreach (var field in fields)
            {
                int size = field.IsInteger || field.SourceType == "E" ? PnpDescriptor.IntegerSize(field.SourceType) : field.IsString ? pointer : 0;
                if (field.Offset + size > entryLength)
                {
                    throw new ModuleFormatException(reader.File.Path, fileOffset, structure,
                        $"field {field.SourceType}:{field.Key} at offset {field.Offset} does not fit in entry_len {entryLength}");
                }
            }

            for (int i = 0; i < entryCount; i++)
            {
                var entry = place with { Offset = place.Offset + (ulong)(i * entryLength) };
                entries.Add(ReadEntry(reader, entry, fields, $"{structure} table entry {i}"));
            }
        }

        return new FreeBsdPnpInfo
        {
            Bus = bus, Descriptor = descriptor, ConvertedDescriptor = converted, Fields = fields,
            EntryLength = entryLength, EntryCount = entryCount, Entries = entries,
        };
    }

    private static List<FreeBsdPnpValue> ReadEntry(ElfPointerReader reader, RelocatedTarget entry, List<FreeBsdPnpField> fields, string structure)
    {
        var values = new List<FreeBsdPnpValue>(fields.Count);
        var r = reader.File.Reader;
        foreach (var field in fields)
        {
            if (field.Type == 'T')
            {
                continue;
            }

            var place = entry with { Offset = entry.Offset + (ulong)field.Offset };
            if (field.SourceType == "E")
            {
                values.Add(new FreeBsdPnpValue(null, PnpDescriptor.EisaId(r.U32(reader.Read(place, 4, structure), 0))));
            }
            else if (field.IsInteger)
            {
                int size = PnpDescriptor.IntegerSize(field.SourceType);
                uint raw = (uint)r.Unsigned(reader.Read(place, size, structure), 0, size);
                if (field.SourceType == "W32")
                {
                    raw = field.Part == 0 ? raw & 0xffff : (raw >> 16) & 0xffff;
                }
                else if (PnpDescriptor.IsFlagged(field.SourceType) && raw == (size == 4 ? uint.MaxValue : (1u << (size * 8)) - 1))
                {
                    raw = uint.MaxValue;
                }

                values.Add(new FreeBsdPnpValue(unchecked((int)raw), null));
            }
            else
            {
                var pointer = reader.ReadPointer(place, 0, $"{structure} {field.Key}");
                values.Add(new FreeBsdPnpValue(null, pointer is { } p ? reader.ReadString(p, $"{structure} {field.Key}") : ""));
            }
        }

        return values;
    }
}
