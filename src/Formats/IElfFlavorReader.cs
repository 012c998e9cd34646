using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;

namespace LkmKit.Formats;

/// <summary>Recognises one operating system's modules among ELF files and fills the model from them.</summary>
internal interface IElfFlavorReader
{
    /// <summary>The flavour this reader produces.</summary>
    ModuleFlavor Flavor { get; }

    /// <summary>True when <paramref name="elf"/> is a module of this flavour (never decided by file name).</summary>
    bool Recognizes(ElfFile elf);

    /// <summary>Fills <paramref name="module"/>'s metadata from <paramref name="elf"/>.</summary>
    void Read(ElfFile elf, KernelModule module);
}
