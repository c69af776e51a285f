namespace Fulcrum.Core.Hashing;

/// <summary>
/// Maglev's lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer",
/// NSDI 2016, section 3.4). Each backend has a permutation of the M slots, given by an offset and a
/// skip derived from two hashes of its id (M prime, so every skip visits every slot). Backends take
/// turns claiming the next free slot of their permutation until the table is full; a key's backend is
/// table[hash mod M]. Every backend ends up with M/N slots (give or take one), and a change of the set
/// moves little more than the slots it must (the paper's figure 12).
/// Weights: in each round a backend accrues its weight as credit and claims a slot only when its credit
/// reaches the largest weight, which it then spends. The heaviest backends claim one slot per round,
/// the others proportionally fewer, so slot counts follow the weights. This is the weighted population
/// Envoy's Maglev load balancer uses; the paper leaves weights to the reader.
/// </summary>
internal sealed class MaglevTable
{
    public const int DefaultSize = 65537;

    private readonly int[] _slots;

    private MaglevTable(int[] slots, int[] weights)
    {
        _slots = slots;
        Weights = weights;
    }

    /// <summary>The weights (by set index) this table was built from.</summary>
    public int[] Weights { get; }

    /// <summary>M, the number of slots; 0 when no backend has weight.</summary>
    public int Size => _slots.Length;

    public static MaglevTable Build(IReadOnlyList<string> ids, int[] weights, int size = DefaultSize)
    {
        if (size < 2 || !IsPrime(size)) throw new ArgumentOutOfRangeException(nameof(size), size, "the Maglev table size must be a prime");
        var n = ids.Count;
        var maxWeight = 0;
        foreach (var w in weights) maxWeight = Math.Max(maxWeight, w);
        if (n == 0 || maxWeight <= 0) return new MaglevTable([], weights);

        var position = new long[n]; // starts at the offset, see below
        var skip = new long[n];
        for (var i = 0; i < n; i++)
        {
            var h1 = KeyHash.Of(ids[i]);
            var h2 = KeyHash.Mix(h1 ^ 0xC2B2AE3D27D4EB4FUL);
            position[i] = (long)(h1 % (ulong)size);
            skip[i] = (long)(h2 % (ulong)(size - 1)) + 1;
        }

        var slots = new int[size];
        Array.Fill(slots, -1);
        // position[i] walks backend i's permutation (offset + j * skip) mod M by adding skip, which
        // avoids a 64-bit division per probe.
        var credit = new long[n];
        var filled = 0;
        while (true)
        {
            for (var i = 0; i < n; i++)
            {
                if (weights[i] <= 0) continue;
                credit[i] += weights[i];
                if (credit[i] < maxWeight) continue;
                credit[i] -= maxWeight;
                long c;
                do
                {
                    c = position[i];
                    position[i] += skip[i];
                    if (position[i] >= size) position[i] -= size;
                }
                while (slots[c] >= 0);

                slots[c] = i;
                if (++filled == size) return new MaglevTable(slots, weights);
            }
        }
    }

    /// <summary>The set index owning <paramref name="hash"/>; call only when <see cref="Size"/> &gt; 0.</summary>
    public int Lookup(ulong hash) => _slots[(int)(hash % (ulong)_slots.Length)];

    private static bool IsPrime(int n)
    {
        if (n < 4) return n >= 2;
        if (n % 2 == 0) return false;
        for (var d = 3; (long)d * d <= n; d += 2)
        {
            if (n % d == 0) return false;
        }

        return true;
    }
}
