using MlpTrainer.Samples;

// Samples for MlpTrainer. Without arguments: the main sample on the Iris table that ships with this program.
return SampleCommand.Run(args, Console.Out);
