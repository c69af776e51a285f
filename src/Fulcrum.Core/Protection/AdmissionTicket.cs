namespace Fulcrum.Core.Protection;

/// <summary>What <see cref="PoolAdmission.TryAdmit"/> must know again when the request ends: whether the adaptive limit counted it, and in which minRTT epoch.</summary>
public readonly record struct AdmissionTicket(bool Limited, int Epoch);
