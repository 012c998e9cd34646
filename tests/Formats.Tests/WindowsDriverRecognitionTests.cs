using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Pe;

namespace LkmKit.Formats.Tests;

/// <summary>Driver recognition and machine mapping on header-patched copies of the fixtures.</summary>
public class WindowsDriverRecognitionTests
{
    private static byte[] Fixture(string file) => File.ReadAllBytes(RepoPaths.TestData("windows", "x86_64", file));

    private static KernelModule Read(byte[] bytes)
    {
        var source = ModuleSource.FromMemory("patched", bytes);
        return Assert.Single(ModuleReader.Read(source));
    }

    private static int OptionalHeader(byte[] bytes) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(0x3C)) + 24;

    [Fact]
    public void WdmFlagMakesADriver()
    {
        var bytes = Fixture("plain.dll");
        int dllCharacteristics = OptionalHeader(bytes) + 70;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(dllCharacteristics),
            (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(dllCharacteristics)) | 0x2000));
        var m = Read(bytes);
        Assert.Equal(ModuleFlavor.WindowsDriver, m.Flavor);
        Assert.Equal(EntryPointKind.DriverEntry, m.EntryPoints.Single().Kind);
    }

    [Fact]
    public void NativeSubsystemWithoutKernelImportsIsNotADriver()
    {
        var bytes = Fixture("plain.dll");
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(OptionalHeader(bytes) + 68), 1);
        var m = Read(bytes);
        Assert.Equal(ModuleFlavor.Unknown, m.Flavor);
        Assert.Contains("subsystem native, no imports from a kernel image", Assert.Single(m.Diagnostics).Message);
    }

    [Fact]
    public void DriverWithAnotherSubsystemIsNotADriver()
    {
        var bytes = Fixture("lkmkit.sys");
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(OptionalHeader(bytes) + 68), 3);
        Assert.Equal(ModuleFlavor.Unknown, Read(bytes).Flavor);
    }

    [Theory]
    [InlineData((ushort)0xAA64, MachineArchitecture.AArch64)]
    [InlineData((ushort)0x0200, MachineArchitecture.IA64)]
    [InlineData((ushort)0x01C4, MachineArchitecture.Arm)]
    [InlineData((ushort)0x5064, MachineArchitecture.RiscV)]
    [InlineData((ushort)0x1234, MachineArchitecture.Unknown)]
    public void MachineNumbers(ushort machine, MachineArchitecture expected)
    {
        var bytes = Fixture("lkmkit.sys");
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(0x3C)) + 4), machine);
        var m = Read(bytes);
        Assert.Equal(expected, m.Machine);
        Assert.Equal(machine, m.RawMachine);
    }

    [Fact]
    public void MachineSpecificBaseRelocationNames()
    {
        Assert.Equal("IMAGE_REL_BASED_IA64_IMM64", PeBaseRelocationTypes.Name(MachineArchitecture.IA64, 9));
        Assert.Equal(64, PeBaseRelocationTypes.Width(MachineArchitecture.IA64, 9));
        Assert.Equal("IMAGE_REL_BASED_THUMB_MOV32", PeBaseRelocationTypes.Name(MachineArchitecture.Arm, 7));
        Assert.Equal("type 9", PeBaseRelocationTypes.Name(MachineArchitecture.X86_64, 9));
        Assert.Equal(0, PeBaseRelocationTypes.Width(MachineArchitecture.X86_64, 9));
        Assert.Equal(16, PeBaseRelocationTypes.Width(MachineArchitecture.X86, 4));
    }
}
