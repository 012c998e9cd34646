using LkmKit.Formats;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>
/// The model's file kind names the same kind of file alike in every container, and the container's own name stays beside it
/// (MH_KEXT_BUNDLE: <see cref="KextBundleTableTests"/>).
/// </summary>
public class ModuleFileKindTests
{
    [Theory]
    [InlineData("linux/x86_64/lkmdemo_core.ko", ContainerFormat.Elf, "REL", ModuleFileKind.Relocatable)]
    [InlineData("freebsd/amd64/fbsd_demo.ko", ContainerFormat.Elf, "REL", ModuleFileKind.Relocatable)]
    [InlineData("freebsd/i386/fbsd_demo.ko", ContainerFormat.Elf, "DYN", ModuleFileKind.Shared)]
    [InlineData("lkm/mymisc.o", ContainerFormat.AOut, "OMAGIC", ModuleFileKind.Relocatable)]
    [InlineData("kext/objects/demokext.x86_64.o", ContainerFormat.MachO, "OBJECT", ModuleFileKind.Relocatable)]
    [InlineData("kext/objects/demokext.x86_64.bundle", ContainerFormat.MachO, "BUNDLE", ModuleFileKind.Shared)]
    [InlineData("kext/Codeless.kext", ContainerFormat.MachO, "CODELESS", ModuleFileKind.Codeless)]
    [InlineData("windows/x86_64/lkmkit.sys", ContainerFormat.Pe, "PE32+", ModuleFileKind.PeImage)]
    public void File_kind_matches_the_container_file_type(string path, ContainerFormat container, string fileType, ModuleFileKind kind)
    {
        using var file = ModuleReader.Open(RepoPaths.TestData([.. path.Split('/')]));
        var module = file.Modules[0];
        Assert.Equal(container, module.Container);
        Assert.Equal(fileType, module.FileType);
        Assert.Equal(kind, module.FileKind);
    }
}
