using AutomationPortal.Web.Features.ApiKeys;
using AutomationPortal.Web.Infrastructure.Security;

namespace AutomationPortal.UnitTests.ApiKeys;

public sealed class ApiKeyFormatTests
{
    [Fact]
    public void NewKeysAreLongRandomAndRecognisable()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeyService.NewKey()).ToList();

        Assert.All(keys, k => Assert.StartsWith(ApiKeyService.KeyPrefix, k, StringComparison.Ordinal));
        Assert.All(keys, k => Assert.True(k.Length >= 40, k));
        Assert.All(keys, k => Assert.Matches("^[A-Za-z0-9_-]+$", k));
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public void TheHashIsStableLowerCaseSha256()
    {
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", ApiKeyService.Hash("hello"));
        Assert.Equal(ApiKeyService.Hash("same"), ApiKeyService.Hash("same"));
    }

    [Fact]
    public void GeneratedPasswordsMeetThePolicyAndAvoidLookAlikes()
    {
        var passwords = Enumerable.Range(0, 200).Select(_ => PasswordGenerator.Generate()).ToList();

        Assert.All(passwords, p => Assert.Equal(20, p.Length));
        Assert.All(passwords, p => Assert.DoesNotMatch("[0O1lI]", p));
        Assert.Equal(passwords.Count, passwords.Distinct().Count());
    }
}
