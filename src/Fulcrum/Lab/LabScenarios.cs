using System.Collections.Immutable;

namespace Fulcrum.Lab;

/// <summary>The scenarios `fulcrum lab` knows, by name; adding one is adding a class here.</summary>
public static class LabScenarios
{
    public static readonly ImmutableArray<ILabScenario> All = [new SlowServerScenario(), new HashingScenario(), new OverloadScenario(), new WeightedScenario(), new HealthScenario(), new DrainScenario(), new SessionsScenario(), new FeedbackScenario(), new ChallengeScenario()];

    public static ILabScenario? Find(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
