using System.Globalization;
using System.Reflection;

namespace MlpTrainer.Samples.Data;

/// <summary>
/// Fisher's Iris data (150 flowers, 4 measurements in cm, 3 species), embedded in this program as
/// <c>Data/iris.csv</c> so the main sample needs no download.
/// </summary>
public static class IrisTable
{
    public static IReadOnlyList<IrisFlower> Load()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("iris.csv")
            ?? throw new InvalidOperationException("The embedded resource 'iris.csv' is missing from the samples assembly.");
        using var reader = new StreamReader(stream);
        string header = reader.ReadLine() ?? throw new InvalidDataException("iris.csv is empty.");
        if (header != "SepalLength,SepalWidth,PetalLength,PetalWidth,Species")
            throw new InvalidDataException($"iris.csv has the header '{header}'; expected SepalLength,SepalWidth,PetalLength,PetalWidth,Species.");
        var flowers = new List<IrisFlower>();
        int line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            string[] cells = text.Split(',');
            if (cells.Length != 5)
                throw new InvalidDataException($"iris.csv line {line} has {cells.Length} cells; 5 expected.");
            float Cell(int i) => float.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float v)
                ? v : throw new InvalidDataException($"iris.csv line {line}, column {i + 1}: '{cells[i]}' is not a number.");
            flowers.Add(new IrisFlower { SepalLength = Cell(0), SepalWidth = Cell(1), PetalLength = Cell(2), PetalWidth = Cell(3), Species = cells[4] });
        }
        return flowers;
    }
}
