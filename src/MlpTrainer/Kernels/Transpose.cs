namespace MlpTrainer.Kernels;

internal enum Transpose { No, Yes }
