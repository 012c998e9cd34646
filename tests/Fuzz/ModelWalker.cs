using System.Collections;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace LkmKit.Fuzz;

/// <summary>
/// Reads every public property of every object reachable from a module (lists enumerated, deferred and lazy tables
/// forced), by reflection, so the fuzzer touches what the model offers today and whatever it offers tomorrow.
/// </summary>
internal static class ModelWalker
{
    private const int MaxDepth = 12;

    /// <summary>Walks <paramref name="root"/>; returns how many values were read (so the work cannot be optimised away).</summary>
    public static long Walk(object? root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        return Visit(root, 0, seen);
    }

    private static long Visit(object? value, int depth, HashSet<object> seen)
    {
        if (value is null || depth > MaxDepth)
        {
            return 0;
        }

        var type = value.GetType();
        if (IsLeaf(type))
        {
            return value is string s ? s.Length : 1;
        }

        if (value is ReadOnlyMemory<byte> memory)
        {
            return Sum(memory.Span);
        }

        if (value is byte[] bytes)
        {
            return Sum(bytes);
        }

        if (!type.IsValueType && !seen.Add(value))
        {
            return 0;
        }

        long count = 0;
        if (value is IEnumerable items)
        {
            foreach (var item in items)
            {
                count += 1 + Visit(item, depth + 1, seen);
            }

            if (value is IList or IDictionary || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
            {
                return count;
            }
        }

        foreach (var property in Properties(type))
        {
            count += Visit(Get(property, value), depth + 1, seen);
        }

        return count;
    }

    /// <summary>Reads a property; an exception its getter throws comes out as itself, not wrapped by reflection.</summary>
    private static object? Get(PropertyInfo property, object target)
    {
        try
        {
            return property.GetValue(target);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static readonly Dictionary<Type, PropertyInfo[]> PropertyCache = [];

    private static PropertyInfo[] Properties(Type type)
    {
        lock (PropertyCache)
        {
            if (!PropertyCache.TryGetValue(type, out var properties))
            {
                properties = [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && !p.PropertyType.IsByRefLike
                        && p.PropertyType != typeof(Type) && !typeof(Delegate).IsAssignableFrom(p.PropertyType)
                        && (type.Namespace?.StartsWith("LkmKit", StringComparison.Ordinal) ?? false || IsKeyValue(type)))];
                PropertyCache[type] = properties;
            }

            return properties;
        }
    }

    private static bool IsKeyValue(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>);

    private static bool IsLeaf(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(Version);

    private static long Sum(ReadOnlySpan<byte> bytes)
    {
        long sum = bytes.Length;
        if (!bytes.IsEmpty)
        {
            sum += bytes[0] + bytes[^1];
        }

        return sum;
    }
}
