namespace LkmKit.Formats.Model;

/// <summary>
/// Base for facts only one flavour (operating system) of module has; each flavour reader defines its own subclass. Facts of
/// the container file (ELF, a.out, Mach-O, PE headers) are in <see cref="KernelModule.ContainerDetails"/> instead.
/// FreeBSD modules have no public details type: all they say is in the common model (<see cref="KernelModule.Provides"/>,
/// <see cref="KernelModule.TargetKernel"/>, <see cref="KernelModule.Metadata"/>).
/// </summary>
public abstract class FlavorDetails
{
}
