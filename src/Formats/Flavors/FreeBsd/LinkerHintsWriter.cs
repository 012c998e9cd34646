using System.Buffers.Binary;
using System.Text;

namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>
/// Builds a FreeBSD <c>linker.hints</c> file byte for byte as <c>kldxref</c> writes it (<c>usr.sbin/kldxref/kldxref.c</c>):
/// the version word 1, then per record its padded length and data — MDT_MODULE (type, module, kld), MDT_VERSION
/// (type, interface, version, kld), MDT_PNP_INFO (type, bus, converted descriptor, count, values). Integers are
/// 32-bit in the modules' byte order and aligned to 4 within the record; strings are a length byte and the bytes.
/// </summary>
internal sealed class LinkerHintsWriter
{
    /// <summary>LINKER_HINTS_VERSION.</summary>
    public const int FormatVersion = 1;

    private readonly bool _bigEndian;
    private readonly List<byte> _file = [];
    private readonly List<byte> _record = [];

    /// <summary>Creates a writer for modules of the given byte order.</summary>
    public LinkerHintsWriter(bool bigEndian) => _bigEndian = bigEndian;

    /// <summary>Number of records written so far.</summary>
    public int RecordCount { get; private set; }

    /// <summary>
    /// The records of one file in the order kldxref emits them: its first MDT_MODULE record, then every record that
    /// is not MDT_MODULE, in linker-set order (kldxref's first pass stops at the first MDT_MODULE).
    /// </summary>
    public static IEnumerable<FreeBsdMetadataRecord> HintOrder(FreeBsdModuleDetails details)
    {
        if (details.Records.FirstOrDefault(r => r.Type == FreeBsdMetadataType.Module) is { } first)
        {
            yield return first;
        }

        foreach (var record in details.Records)
        {
            if (record.Type != FreeBsdMetadataType.Module)
            {
                yield return record;
            }
        }
    }

    /// <summary>Adds the records of the module file named <paramref name="kldName"/> (the file name, e.g. <c>if_em.ko</c>).</summary>
    /// <exception cref="InvalidOperationException">A string is longer than 255 bytes (kldxref refuses it too).</exception>
    public void AddKld(string kldName, FreeBsdModuleDetails details)
    {
        foreach (var record in HintOrder(details))
        {
            _record.Clear();
            switch (record.Type)
            {
                case FreeBsdMetadataType.Module:
                    Int((int)FreeBsdMetadataType.Module);
                    String(record.Name);
                    String(kldName);
                    break;
                case FreeBsdMetadataType.Version when record.Version is { } version:
                    Int((int)FreeBsdMetadataType.Version);
                    String(record.Name);
                    Int(version);
                    String(kldName);
                    break;
                case FreeBsdMetadataType.PnpInfo when record.Pnp is { } pnp:
                    Pnp(record.Name, pnp);
                    break;
                default:
                    continue; // MDT_DEPEND and unknown types produce no record
            }

            EndRecord();
        }
    }

    /// <summary>The file: the version word and every record; empty when there are no records (kldxref then removes the file).</summary>
    public byte[] ToArray() => RecordCount == 0 ? [] : [.. _file];

    private void Pnp(string bus, FreeBsdPnpInfo pnp)
    {
        Int((int)FreeBsdMetadataType.PnpInfo);
        String(bus);
        String(pnp.ConvertedDescriptor);
        Int(pnp.EntryCount);
        foreach (var entry in pnp.Entries)
        {
            foreach (var value in entry)
            {
                if (value.Number is { } n)
                {
                    Int(n);
                }
                else
                {
                    String(value.Text ?? "");
                }
            }
        }
    }

    private void EndRecord()
    {
        if (RecordCount == 0)
        {
            Word(_file, FormatVersion);
        }

        Align(_record);
        Word(_file, _record.Count);
        _file.AddRange(_record);
        RecordCount++;
    }

    private void Int(int value)
    {
        Align(_record);
        Word(_record, value);
    }

    private void String(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > 255)
        {
            throw new InvalidOperationException($"string '{value}' is too long for linker.hints ({bytes.Length} bytes, at most 255)");
        }

        _record.Add((byte)bytes.Length);
        _record.AddRange(bytes);
    }

    private void Word(List<byte> buffer, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        }

        buffer.AddRange(bytes);
    }

    private static void Align(List<byte> buffer)
    {
        while (buffer.Count % 4 != 0)
        {
            buffer.Add(0);
        }
    }
}
