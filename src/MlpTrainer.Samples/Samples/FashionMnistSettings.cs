namespace MlpTrainer.Samples.Samples;

/// <summary>What the <c>fashion-mnist</c> command was asked to do.</summary>
/// <param name="Epochs">Passes over the training images.</param>
/// <param name="TrainRows">How many of the 60,000 training images to use (the first ones).</param>
/// <param name="Seed">Seed of the validation split, initialisation and shuffling.</param>
/// <param name="PlotPath">Where the PNG of the loss curves goes.</param>
/// <param name="DataDirectory">The folder with Debian's IDX files.</param>
/// <param name="OnnxPath">Where to export the trained pipeline as ONNX, or null for no export.</param>
public sealed record FashionMnistSettings(int Epochs, int TrainRows, int Seed, string PlotPath, string DataDirectory, string? OnnxPath = null);
