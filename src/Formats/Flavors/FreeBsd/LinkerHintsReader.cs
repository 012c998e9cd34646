using LkmKit.Formats.IO;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>
/// Reads a FreeBSD <c>linker.hints</c> file (the format <see cref="LinkerHintsWriter"/> and <c>kldxref</c> write);
/// the byte order is taken from the version word. Every length is checked before use.
/// </summary>
internal static class LinkerHintsReader
{
    /// <summary>LINKER_HINTS_MAX: the kernel refuses larger files.</summary>
    public const int MaxSize = 1 << 20;

    /// <summary>Decodes <paramref name="data"/>; <paramref name="path"/> names the file in errors.</summary>
    public static (bool BigEndian, List<LinkerHintsRecord> Records) Read(ReadOnlySpan<byte> data, string path)
    {
        if (data.Length < 4 || data.Length > MaxSize)
        {
            throw new ModuleFormatException(path, 0, "linker.hints", $"size {data.Length} is outside 4..{MaxSize} bytes");
        }

        bool bigEndian = data[0] == 0;
        var r = new EndianReader(path, bigEndian);
        int version = r.I32(data, 0);
        if (version != LinkerHintsWriter.FormatVersion)
        {
            throw new ModuleFormatException(path, 0, "linker.hints", $"version {version} is not {LinkerHintsWriter.FormatVersion}");
        }

        var records = new List<LinkerHintsRecord>();
        int at = 4;
        while (at < data.Length)
        {
            int length = r.I32(data, at);
            if (length <= 0 || length % 4 != 0 || length > data.Length - at - 4)
            {
                throw new ModuleFormatException(path, at, "linker.hints record", $"length {length} is not a positive multiple of 4 inside the file");
            }

            records.Add(ReadRecord(data.Slice(at + 4, length), r, path, at));
            at += 4 + length;
        }

        return (bigEndian, records);
    }

    private static LinkerHintsRecord ReadRecord(ReadOnlySpan<byte> record, EndianReader r, string path, int offset)
    {
        var cursor = new Cursor(record, r, path, offset + 4);
        int type = cursor.Int();
        string name = cursor.String();
        switch ((FreeBsdMetadataType)type)
        {
            case FreeBsdMetadataType.Module:
                return new LinkerHintsRecord(offset, type, name, cursor.String(), null, null, []);
            case FreeBsdMetadataType.Version:
                int version = cursor.Int();
                return new LinkerHintsRecord(offset, type, name, cursor.String(), version, null, []);
            case FreeBsdMetadataType.PnpInfo:
                string descriptor = cursor.String();
                int count = cursor.Int();
                var kinds = DescriptorKinds(descriptor);
                if (count < 0 || (long)count * Math.Max(1, kinds.Count) > record.Length)
                {
                    throw new ModuleFormatException(path, offset, "linker.hints MDT_PNP_INFO record", $"entry count {count} cannot fit in the record");
                }

                var entries = new List<IReadOnlyList<FreeBsdPnpValue>>(count);
                for (int i = 0; i < count; i++)
                {
                    var values = new List<FreeBsdPnpValue>(kinds.Count);
                    foreach (bool isString in kinds)
                    {
                        values.Add(isString ? new FreeBsdPnpValue(null, cursor.String()) : new FreeBsdPnpValue(cursor.Int(), null));
                    }

                    entries.Add(values);
                }

                return new LinkerHintsRecord(offset, type, name, null, null, descriptor, entries);
            default:
                throw new ModuleFormatException(path, offset, "linker.hints record", $"unknown record type {type}");
        }
    }

    /// <summary>For each value-carrying field of a converted descriptor: true for a string (D, Z), false for an integer.</summary>
    private static List<bool> DescriptorKinds(string descriptor)
    {
        var kinds = new List<bool>();
        foreach (var field in descriptor.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            char type = field[0];
            if (type != 'T')
            {
                kinds.Add(type is 'D' or 'Z');
            }
        }

        return kinds;
    }

    private ref struct Cursor(ReadOnlySpan<byte> data, EndianReader reader, string path, int fileOffset)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public int Int()
        {
            _at = (_at + 3) & ~3;
            if (_at + 4 > _data.Length)
            {
                throw new ModuleFormatException(path, fileOffset + _at, "linker.hints record", "an integer runs past the end of the record");
            }

            int value = reader.I32(_data, _at);
            _at += 4;
            return value;
        }

        public string String()
        {
            if (_at >= _data.Length || _at + 1 + _data[_at] > _data.Length)
            {
                throw new ModuleFormatException(path, fileOffset + _at, "linker.hints record", "a string runs past the end of the record");
            }

            int length = _data[_at];
            string value = CString.Decode(_data.Slice(_at + 1, length));
            _at += 1 + length;
            return value;
        }
    }
}
