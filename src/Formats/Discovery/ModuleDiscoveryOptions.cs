namespace LkmKit.Formats.Discovery;

/// <summary>How <see cref="ModuleDiscovery"/> walks directories.</summary>
public sealed record ModuleDiscoveryOptions
{
    /// <summary>The defaults: links inside the tree are followed, links that lead out of it are not.</summary>
    public static ModuleDiscoveryOptions Default { get; } = new();

    /// <summary>Follow symbolic links whose target lies outside the directory given (default: no).</summary>
    public bool FollowLinksOutOfTree { get; init; }
}
