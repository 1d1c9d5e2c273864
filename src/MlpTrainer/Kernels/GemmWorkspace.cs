using System;

namespace MlpTrainer.Kernels;

/// <summary>
/// The packing buffers of one thread: a packed A block (MC × KC), a packed B block (KC × NC) and
/// one C edge tile (MR × NR). Allocated once on the pinned object heap, so the 64-byte aligned
/// pointers stay valid for the workspace's lifetime without pinning per call.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    private const int AlignmentFloats = 16; // 64 bytes

    private readonly float[] _storage;

    public GemmWorkspace(int mr, int nr)
    {
        int packedALength = RoundUp(GemmBlocking.Mc * GemmBlocking.MaxKc);
        int packedBLength = RoundUp(GemmBlocking.MaxKc * GemmBlocking.Nc);
        int tileLength = RoundUp(mr * nr);

        _storage = GC.AllocateArray<float>(packedALength + packedBLength + tileLength + AlignmentFloats, pinned: true);

        fixed (float* start = _storage)
        {
            // The array lives on the pinned object heap and never moves, so keeping the address is safe.
            float* aligned = (float*)(((nuint)start + 63) & ~(nuint)63);
            PackedA = aligned;
            PackedB = aligned + packedALength;
            Tile = aligned + packedALength + packedBLength;
        }
    }

    /// <summary>Packed A block: MC/MR micro-panels of MR × KC.</summary>
    public float* PackedA { get; }

    /// <summary>Packed B block: NC/NR micro-panels of KC × NR.</summary>
    public float* PackedB { get; }

    /// <summary>Scratch tile (row stride NR) for C tiles cut by the matrix edge.</summary>
    public float* Tile { get; }

    private static int RoundUp(int floats) => (floats + AlignmentFloats - 1) / AlignmentFloats * AlignmentFloats;
}
