namespace MlpTrainer.Benchmarks;

/// <summary>Receives each epoch's report on the training thread, as it ends (Progress&lt;T&gt; would post it elsewhere).</summary>
internal sealed class EpochObserver(Action<MlpEpochReport> onEpoch) : IProgress<MlpEpochReport>
{
    public void Report(MlpEpochReport value) => onEpoch(value);
}
