namespace LkmKit.Formats.Model;

/// <summary>Base for facts only one flavour of module has; each flavour reader defines its own subclass.</summary>
public abstract class FlavorDetails
{
}
