namespace LkmKit.Cli.Tests;

/// <summary>Tests that build src/Cli in Release (publish, pack) share its obj/bin folders, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class NativeBuildCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Release builds of src/Cli";
}
