using System.Diagnostics;

namespace MlpTrainer.Training;

/// <summary>
/// Where the time of training steps goes, phase by phase and layer by layer: filled by <see cref="BackpropTrainer"/>
/// when one is attached (<see cref="BackpropTrainer.Timings"/>, for profiling only; training attaches none) and by the
/// caller for the phases outside it (the minibatch's gather, the optimizer's step). Each <see cref="Lap"/> charges
/// the time since the previous lap (or <see cref="Start"/>) to one phase of one layer. Allocation-free after construction.
/// </summary>
internal sealed class StepTimings
{
    /// <summary>The parts of a training step.</summary>
    public enum Phase
    {
        /// <summary>Copying the minibatch's rows, targets and weights out of the dataset.</summary>
        Gather,

        /// <summary>z = x·Wᵀ (or the sparse first layer's forward pass).</summary>
        ForwardProduct,

        /// <summary>a = f(z + b).</summary>
        BiasAndActivation,

        /// <summary>Drawing and applying the dropout masks.</summary>
        Dropout,

        /// <summary>The output layer's loss and ∂L/∂z.</summary>
        Loss,

        /// <summary>∂L/∂W = δᵀ·x.</summary>
        WeightGradientProduct,

        /// <summary>∂L/∂b = Σ_rows δ.</summary>
        BiasGradient,

        /// <summary>∂L/∂x = δ·W.</summary>
        InputGradientProduct,

        /// <summary>δ ⊙ f'(a) (and the dropout mask) for the layer below.</summary>
        Derivative,

        /// <summary>The optimizer's update of every parameter.</summary>
        Optimizer,
    }

    /// <summary>The number of <see cref="Phase"/> values.</summary>
    public const int PhaseCount = (int)Phase.Optimizer + 1;

    private readonly long[] _ticks;
    private long _mark;

    /// <param name="layers">The network's layer count: phases are kept per layer.</param>
    public StepTimings(int layers)
    {
        Layers = layers;
        _ticks = new long[PhaseCount * layers];
    }

    public int Layers { get; }

    /// <summary>Steps counted (<see cref="EndStep"/> calls) since the last <see cref="Clear"/>.</summary>
    public long Steps { get; private set; }

    /// <summary>Starts the clock for the next lap.</summary>
    public void Start() => _mark = Stopwatch.GetTimestamp();

    /// <summary>Charges the time since the previous lap to <paramref name="phase"/> of <paramref name="layer"/> (0 for phases that belong to no layer).</summary>
    public void Lap(Phase phase, int layer = 0)
    {
        long now = Stopwatch.GetTimestamp();
        _ticks[(int)phase * Layers + layer] += now - _mark;
        _mark = now;
    }

    /// <summary>Counts one step.</summary>
    public void EndStep() => Steps++;

    /// <summary>Seconds charged to <paramref name="phase"/> of <paramref name="layer"/>.</summary>
    public double Seconds(Phase phase, int layer) => _ticks[(int)phase * Layers + layer] / (double)Stopwatch.Frequency;

    /// <summary>Seconds charged to <paramref name="phase"/> over all layers.</summary>
    public double Seconds(Phase phase)
    {
        long sum = 0;
        for (int layer = 0; layer < Layers; layer++)
            sum += _ticks[(int)phase * Layers + layer];
        return sum / (double)Stopwatch.Frequency;
    }

    /// <summary>Forgets every lap and step.</summary>
    public void Clear()
    {
        Array.Clear(_ticks);
        Steps = 0;
    }
}
