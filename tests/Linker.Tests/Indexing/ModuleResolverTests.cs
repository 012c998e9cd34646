using LkmKit.Linker.Indexing;

namespace LkmKit.Linker.Tests.Indexing;

public class ModuleResolverTests
{
    private static ModuleResolver Open(DepmodFixture tree, bool writeIndexes = true)
    {
        if (writeIndexes)
        {
            Depmod.Write(Depmod.Build(tree.Options()), tree.ModuleDirectory);
        }

        return ModuleResolver.Open(new ModuleResolverOptions { ModuleDirectory = tree.ModuleDirectory, ConfigPaths = [tree.ModprobeConfig] });
    }

    [Fact]
    public void Load_order_says_why_each_module_is_there()
    {
        using var tree = new DepmodFixture();
        var plan = Assert.Single(Open(tree).Resolve("second_user", "x=1"));
        Assert.False(plan.Blacklisted);                               // blacklisted, but named directly (no -b)
        Assert.Equal(new ModuleMatch("second_user", null, ModuleLookupSource.ModuleName), plan.Target);
        Assert.Equal(
            [
                ("crc32c_generic", ModuleInclusion.SoftdepPre, "core_zst"),
                ("core_zst", ModuleInclusion.Dependency, "second_user"),
                ("lkmdemo_min", ModuleInclusion.SoftdepPre, "second_user"),
                ("second_user", ModuleInclusion.Requested, null),
                ("core_zst", ModuleInclusion.SoftdepPost, "second_user"),
            ],
            plan.Modules.Select(m => (m.Name, m.Reason, m.RequiredBy)));
        Assert.True(plan.Modules[0].IsBuiltin);
        Assert.Null(plan.Modules[0].Path);
        Assert.Equal(tree.ModuleDirectory + "/updates/lkmdemo_min.ko.xz", plan.Modules[2].Path);
        Assert.Equal("x=1", plan.Modules[3].Options);
    }

    [Fact]
    public void Blacklist_applies_to_aliases_and_with_the_flag_to_names()
    {
        using var tree = new DepmodFixture();
        var resolver = Open(tree);
        var viaAlias = Assert.Single(resolver.Resolve("second"));
        Assert.True(viaAlias.Blacklisted);
        Assert.Equal(ModuleLookupSource.ConfigAlias, viaAlias.Target.Source);
        Assert.True(Assert.Single(resolver.Resolve("second_user", applyBlacklist: true)).Blacklisted);
    }

    [Fact]
    public void Aliases_symbols_builtins_and_options_resolve()
    {
        using var tree = new DepmodFixture();
        var resolver = Open(tree);
        // Three modules carry the alias (two are renamed copies): modules.alias priority = module order.
        Assert.Equal(["lkmdemo_core", "core_xz", "core_zst"], resolver.Lookup("char-major-240-7").Select(m => m.Name));
        Assert.Equal(ModuleLookupSource.Symbol, Assert.Single(resolver.Lookup("symbol:lkmdemo_add")).Source);
        Assert.Equal(ModuleLookupSource.BuiltinAlias, Assert.Single(resolver.Lookup("fs-vfat")).Source);
        Assert.Equal(ModuleLookupSource.Builtin, Assert.Single(resolver.Lookup("vfat")).Source);
        Assert.Empty(resolver.Resolve("no-such-thing"));
        var core = Assert.Single(resolver.Resolve("lkmdemo_core")).Modules.Last();
        Assert.Equal("debug_level=2 label=fixture ", core.Options);
    }

    [Fact]
    public void A_tree_without_indexes_is_indexed_in_memory()
    {
        using var tree = new DepmodFixture();
        var resolver = Open(tree, writeIndexes: false);
        var plan = Assert.Single(resolver.Resolve("lkmdemo-user"));
        Assert.Equal("lkmdemo_user", plan.Modules[^1].Name);
        Assert.Contains(plan.Modules, m => m.Name == "core_zst" && m.Reason == ModuleInclusion.Dependency);
    }
}
