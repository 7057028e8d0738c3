using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Xunit;

namespace GLuCoSE.Tests;

/// <summary>
/// The size of the public surface (issue 15's budget): members declared on exported types, constructors and overrides
/// included, property and event accessors and compiler-generated members not.
/// </summary>
public sealed class PublicSurfaceTests
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <remarks>
    /// 110 after issue 15's redesign; issue 17 (int8 and float16 in .NET) added 5 on purpose: <see cref="GlucosePrecision"/>
    /// (3), <see cref="GlucoseModelOptimizer.Convert"/> and <see cref="GlucoseModelSource.Precision"/>.
    /// </remarks>
    [Fact]
    public void Package_AllExportedTypes_AtMost115Members()
    {
        int total = typeof(GlucoseEmbedder).Assembly.GetExportedTypes().Sum(Count);

        Assert.InRange(total, 1, 115);
    }

    [Fact]
    public void GlucoseEmbedder_Members_AtMost18()
    {
        Assert.InRange(Count(typeof(GlucoseEmbedder)), 1, 18);
    }

    private static int Count(System.Type type) => type.GetMembers(Declared).Count(member => IsPublicMember(type, member));

    private static bool IsPublicMember(System.Type type, MemberInfo member)
    {
        if (member.IsDefined(typeof(CompilerGeneratedAttribute)) || member is System.Type)
        {
            return false;
        }

        return member switch
        {
            MethodBase method => !method.IsSpecialName || method is ConstructorInfo
                ? Visible(type, method.IsPublic, method.IsFamily || method.IsFamilyOrAssembly)
                : false,
            FieldInfo field => !(type.IsEnum && field.IsSpecialName) && Visible(type, field.IsPublic, field.IsFamily || field.IsFamilyOrAssembly),
            PropertyInfo property => (property.GetMethod ?? property.SetMethod) is { } accessor && Visible(type, accessor.IsPublic, accessor.IsFamily),
            EventInfo @event => @event.AddMethod?.IsPublic == true,
            _ => false,
        };
    }

    private static bool Visible(System.Type type, bool isPublic, bool isProtected) => isPublic || (isProtected && !type.IsSealed);
}
