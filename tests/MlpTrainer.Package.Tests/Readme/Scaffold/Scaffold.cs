// Compiled with the README snippets (ReadmeSnippetTests): what the READMEs' C# fragments use without declaring it, as
// a reader's program would have it by then: the quickstart's using directives, and the variables below. Each fragment
// becomes a method of this class.
global using Microsoft.ML;
global using Microsoft.ML.Data;
global using MlpTrainer;

internal sealed partial class Snippets
{
    private readonly MLContext ml = new(seed: 0);
    private readonly IDataView trainData = null!, validationData = null!, train = null!, test = null!;
    private readonly ITransformer model = null!;
    private readonly float[] features = Array.Empty<float>();
    private readonly int rows = 0, featureCount = 0;
}
