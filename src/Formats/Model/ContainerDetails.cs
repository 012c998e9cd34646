namespace LkmKit.Formats.Model;

/// <summary>
/// Base for facts of a module's container (ELF, a.out, Mach-O, PE) that the common model has no field for: header
/// words, flags, counts. What the module means to its operating system is in <see cref="KernelModule.Details"/> instead.
/// </summary>
public abstract class ContainerDetails
{
    private protected ContainerDetails()
    {
    }
}
