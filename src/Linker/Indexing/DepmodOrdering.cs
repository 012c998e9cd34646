namespace LkmKit.Linker.Indexing;

/// <summary>depmod's topological order: modules nobody uses first, each module's dependencies sorted by it.</summary>
internal static class DepmodOrdering
{
    /// <exception cref="InvalidOperationException">Some modules depend on each other in a cycle.</exception>
    public static void SortTopologically(List<DepmodModule> modules)
    {
        var users = new int[modules.Count];
        var roots = new Stack<int>();
        for (int i = 0; i < modules.Count; i++)
        {
            users[i] = modules[i].Users;
            if (users[i] == 0)
            {
                roots.Push(i);
            }
        }

        int sorted = 0;
        while (roots.Count > 0)
        {
            var source = modules[roots.Pop()];
            source.DependencySortIndex = sorted++;
            foreach (var dependency in source.Dependencies)
            {
                if (--users[dependency.Index] == 0)
                {
                    roots.Push(dependency.Index);
                }
            }
        }

        if (sorted < modules.Count)
        {
            var inCycle = modules.Where((m, i) => users[i] > 0).Select(m => m.Name);
            throw new InvalidOperationException($"Found {modules.Count - sorted} modules in dependency cycles: {string.Join(" ", inCycle)}");
        }

        foreach (var module in modules)
        {
            module.Dependencies.Sort((a, b) => a.DependencySortIndex.CompareTo(b.DependencySortIndex));
        }
    }

    /// <summary>Every module <paramref name="module"/> needs, directly or not, by ascending topological index.</summary>
    public static List<DepmodModule> AllDependencies(DepmodModule module)
    {
        var seen = new HashSet<DepmodModule>();
        var stack = new Stack<DepmodModule>();
        stack.Push(module);
        while (stack.Count > 0)
        {
            foreach (var dependency in stack.Pop().Dependencies)
            {
                if (seen.Add(dependency))
                {
                    stack.Push(dependency);
                }
            }
        }

        var all = seen.ToList();
        all.Sort((a, b) => a.DependencySortIndex.CompareTo(b.DependencySortIndex));
        return all;
    }
}
