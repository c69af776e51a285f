namespace Fulcrum.Hosting;

/// <summary>Why a reload happened; printed with every reload line.</summary>
public enum ReloadTrigger
{
    Signal,
    FileChange,
    Admin,
}
