namespace MlpTrainer.Samples.Data;

/// <summary>What the Iris model returns for one flower through a <c>PredictionEngine</c>.</summary>
public sealed class IrisPrediction
{
    /// <summary>The most probable species, mapped back from the key by <c>MapKeyToValue</c>.</summary>
    public string PredictedSpecies { get; set; } = "";

    /// <summary>The probability of each species, in the key order of the label (alphabetical here).</summary>
    public float[] Score { get; set; } = Array.Empty<float>();
}
