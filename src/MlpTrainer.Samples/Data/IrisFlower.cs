namespace MlpTrainer.Samples.Data;

/// <summary>One row of the Iris table: four measurements in cm and the species.</summary>
public sealed class IrisFlower
{
    public float SepalLength { get; set; }

    public float SepalWidth { get; set; }

    public float PetalLength { get; set; }

    public float PetalWidth { get; set; }

    public string Species { get; set; } = "";
}
