using System.Buffers.Binary;
using LkmKit.Formats.Model;
using LkmKit.Linker.Relocation;

namespace LkmKit.Linker.Tests;

/// <summary>
/// i386 Mach-O objects (the MH_OBJECT kexts kxld links): plain and scattered VANILLA, SECTDIFF/LOCAL_SECTDIFF pairs.
/// ld64.lld has no i386 target, so every field is decoded the way the CPU reads it and compared with the target its
/// source line names.
/// </summary>
public class MachOI386LinkTests
{
    private const string Syms = "testdata/linker/macho/kernel-i386.syms";
    private const uint IOLog = 0x00212340, KernelPointer = 0x00801a80, KernelData = 0x00802000;

    private static uint U32(byte[] b, int o) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(o));

    [Fact]
    public void FieldsReachTheirTargets()
    {
        var image = LinkHelper.Link(["testdata/linker/macho/i386relocs.o"], [Syms]);
        var m = image.Modules[0];
        var text = LinkHelper.Section(m, "__TEXT,__text");
        var data = LinkHelper.Section(m, "__DATA,__data");
        uint anon = (uint)LinkHelper.Section(m, "__DATA,__anon").Address;
        uint other = (uint)LinkHelper.Symbol(m, "_other_func"), localData = (uint)LinkHelper.Symbol(m, "_local_data"), entry = (uint)LinkHelper.Symbol(m, "_entry");
        uint Rel(int o) => (uint)text.Address + (uint)o + 4 + U32(text.Data, o);

        Assert.Equal(IOLog, Rel(0x01)); // VANILLA pcrel, extern
        Assert.Equal(other, Rel(0x06)); // VANILLA pcrel, section-based
        Assert.Equal(anon + 8, U32(text.Data, 0x0b)); // scattered VANILLA
        Assert.Equal(localData + 12, U32(text.Data, 0x10)); // scattered VANILLA
        Assert.Equal(KernelData, U32(text.Data, 0x15)); // VANILLA absolute, extern
        Assert.Equal(other + 2, Rel(0x1a)); // scattered VANILLA pcrel

        Assert.Equal(IOLog, U32(data.Data, 0x00));
        Assert.Equal(other, U32(data.Data, 0x04));
        Assert.Equal(localData - entry, U32(data.Data, 0x08)); // SECTDIFF
        Assert.Equal(anon - (localData + 0x10) + 5, U32(data.Data, 0x0c)); // LOCAL_SECTDIFF
        Assert.Equal(other + 1 - localData, U32(data.Data, 0x10)); // SECTDIFF with a constant
        Assert.Equal(11, m.RelocationCount); // 6 + 2 plain + 3 pairs counted once
        Golden.Check("linker/macho/i386relocs.txt", LinkHelper.Render(image));
    }

    [Fact]
    public void DemoKextI386SliceLinks()
    {
        var m = LinkHelper.Link(["testdata/kext/objects/demokext.i386.o"], [Syms]).Modules[0];
        var data = LinkHelper.Section(m, "__DATA,__data");
        int kmod = (int)(LinkHelper.Symbol(m, "_kmod_info") - data.Address);
        Assert.Equal((uint)LinkHelper.Symbol(m, "_demo_start"), U32(data.Data, kmod + 160)); // 32-bit kmod_info.start
        Assert.Equal((uint)LinkHelper.Symbol(m, "_demo_stop"), U32(data.Data, kmod + 164));
        Assert.Equal((uint)(LinkHelper.Symbol(m, "_table") - LinkHelper.Symbol(m, "_second_counter")), U32(data.Data, 0)); // SECTDIFF
        Assert.Equal((uint)LinkHelper.Symbol(m, "_counters") + 4, U32(data.Data, (int)(LinkHelper.Symbol(m, "_second_counter") - data.Address))); // scattered
        Assert.Equal(KernelPointer, U32(data.Data, (int)(LinkHelper.Symbol(m, "_external_ref") - data.Address)));
    }

    private static ModuleRelocation R(uint type, RelocationKind kind = RelocationKind.Absolute, byte width = 32) =>
        new(0, 1, kind, width, 0, true, MachineArchitecture.X86, type);

    [Theory]
    [InlineData(0u, RelocationKind.Absolute, 0x1000UL, 4L, 0UL, "04100000")] // VANILLA: S+A
    [InlineData(0x100u, RelocationKind.PcRelative, 0x1000UL, -4L, 0x2000UL, "fcefffff")] // scattered VANILLA pcrel: S+A-P
    [InlineData(0x102u, RelocationKind.Unknown, 0x10UL, 0x20L, 0UL, "30000000")] // SECTDIFF pair: S_a-S_b + A
    public void ApplierTypes(uint type, RelocationKind kind, ulong s, long a, ulong p, string expected)
    {
        var bytes = new byte[4];
        var status = new MachOI386RelocationApplier().Apply(bytes, R(type, kind) with { Addend = a }, s, p, 0);
        Assert.Equal((RelocationStatus.Applied, expected), (status, Convert.ToHexString(bytes).ToLowerInvariant()));
    }

    [Theory]
    [InlineData(3u, 32)] // PB_LA_PTR
    [InlineData(5u, 32)] // TLV
    [InlineData(0u, 16)] // a 2-byte VANILLA
    public void ApplierRefuses(uint type, int width) =>
        Assert.Equal(RelocationStatus.Unsupported, new MachOI386RelocationApplier().Apply(new byte[4], R(type, width: (byte)width), 0x1000, 0, 0));
}
