using System.Runtime.CompilerServices;

// The ML.NET bridge, run-time half: the assemblies whose internals MlpTrainer uses.
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.StandardTrainers")]
