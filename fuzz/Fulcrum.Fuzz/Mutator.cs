namespace Fulcrum.Fuzz;

/// <summary>
/// A small havoc-style mutator (after AFL's havoc stage: bit flips, interesting bytes, deletions, duplications,
/// dictionary tokens, splicing) for the suite's in-process runs, where AFL++ is not present. It has no coverage
/// feedback, so it finds only shallow bugs; AFL++ in fuzz/run.sh is the real fuzzer.
/// </summary>
public sealed class Mutator(Random random, IReadOnlyList<byte[]> corpus, IReadOnlyList<byte[]> dictionary)
{
    private const int MaxLength = 64 * 1024;

    private static readonly byte[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, (byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', (byte)':', (byte)',', (byte)';', (byte)'0', (byte)'9', (byte)'-', (byte)'.'];

    public byte[] Next()
    {
        var data = new List<byte>(corpus[random.Next(corpus.Count)]);
        var rounds = 1 << random.Next(4);
        for (var i = 0; i < rounds; i++) MutateOnce(data);
        if (data.Count > MaxLength) data.RemoveRange(MaxLength, data.Count - MaxLength);
        return [.. data];
    }

    private void MutateOnce(List<byte> data)
    {
        switch (random.Next(data.Count == 0 ? 2 : 9))
        {
            case 0:
                data.InsertRange(random.Next(data.Count + 1), Token());
                break;
            case 1:
                data.Insert(random.Next(data.Count + 1), (byte)random.Next(256));
                break;
            case 2:
                data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 3:
                data[random.Next(data.Count)] = Interesting[random.Next(Interesting.Length)];
                break;
            case 4:
                data[random.Next(data.Count)] = (byte)random.Next(256);
                break;
            case 5:
            {
                var at = random.Next(data.Count);
                data.RemoveRange(at, random.Next(1, Math.Min(16, data.Count - at) + 1));
                break;
            }

            case 6:
            {
                var at = random.Next(data.Count);
                var length = random.Next(1, Math.Min(64, data.Count - at) + 1);
                data.InsertRange(random.Next(data.Count + 1), data.GetRange(at, length));
                break;
            }

            case 7:
            {
                // Splice: this input's head with another corpus entry's tail.
                var other = corpus[random.Next(corpus.Count)];
                var cut = random.Next(data.Count + 1);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(random.Next(other.Length + 1)).ToArray());
                break;
            }

            default:
            {
                var token = Token();
                var at = random.Next(data.Count);
                data.RemoveRange(at, Math.Min(token.Length, data.Count - at));
                data.InsertRange(at, token);
                break;
            }
        }
    }

    private byte[] Token() =>
        dictionary.Count > 0 && random.Next(4) != 0 ? dictionary[random.Next(dictionary.Count)] : [(byte)random.Next(256)];
}
