using System.Globalization;
using System.Text;

namespace MlpTrainer.Samples.Tests.Support;

/// <summary>Small synthetic CSV files, the same on every run, that an MLP learns well within a second.</summary>
public static class CsvFiles
{
    /// <summary>
    /// 300 animals: an identifier (text, all different: skipped), two numbers and a colour (text: one-hot) that depend on
    /// the class, a true/false column of noise, and the label <c>kind</c> (cat, dog, bird).
    /// </summary>
    public static string Multiclass(string path)
    {
        var random = new Random(1);
        string[] kinds = { "cat", "dog", "bird" };
        string[][] colours = { new[] { "red", "red", "blue" }, new[] { "blue", "blue", "green" }, new[] { "green", "green", "red" } };
        var text = new StringBuilder("id,x1,x2,colour,flag,kind\n");
        for (int i = 0; i < 300; i++)
        {
            int k = i % 3;
            double x1 = Gauss(random, k == 1 ? 3 : 0), x2 = Gauss(random, k == 2 ? 3 : 0);
            text.Append(Row($"r{i}", x1, x2, colours[k][random.Next(3)], random.Next(2) == 0 ? "true" : "false", kinds[k]));
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>300 customers: age, income, city and the label <c>churn</c> written yes/no.</summary>
    public static string Binary(string path)
    {
        var random = new Random(2);
        var text = new StringBuilder("age,income,city,churn\n");
        for (int i = 0; i < 300; i++)
        {
            int age = random.Next(18, 81);
            double income = Gauss(random, 50, 15);
            string city = "abc"[random.Next(3)].ToString();
            double z = 0.08 * (age - 50) - 0.05 * (income - 50) + (city == "a" ? 0.8 : 0) + Gauss(random, 0, 0.5);
            text.Append(Row(age, income, city, z > 0 ? "yes" : "no"));
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>
    /// The 300 customers of <see cref="Binary"/>, with R's <c>NA</c> for the age of every tenth and <c>?</c> for one
    /// income, and a column <c>unknown</c> that holds nothing but <c>NA</c> and <c>?</c>.
    /// </summary>
    public static string BinaryWithMissingMarkers(string path)
    {
        string[] lines = File.ReadAllLines(Binary(path));
        lines[0] = "age,income,city,unknown,churn";
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',').ToList();
            if (i % 10 == 0)
                cells[0] = "NA";
            if (i == 7)
                cells[1] = "?";
            cells.Insert(3, i % 3 == 0 ? "?" : "NA");
            lines[i] = string.Join(",", cells);
        }
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>The 300 customers of <see cref="Binary"/> with the label written 9 (no) and 10 (yes), <c>NA</c> in every 25th row.</summary>
    public static string BinaryWithNumericLabelsMissing(string path)
    {
        string[] lines = File.ReadAllLines(Binary(path));
        for (int i = 1; i < lines.Length; i++)
        {
            string label = lines[i][(lines[i].LastIndexOf(',') + 1)..];
            lines[i] = lines[i][..(lines[i].LastIndexOf(',') + 1)] + (i % 25 == 0 ? "NA" : label == "yes" ? "10" : "9");
        }
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>
    /// <paramref name="source"/>'s file with the last column (the label) replaced by <c>NA</c> in every 25th row: 12 of 300
    /// rows without a label, as R writes them.
    /// </summary>
    public static string WithLabelsMissing(string path, Func<string, string> source)
    {
        string[] lines = File.ReadAllLines(source(path));
        for (int i = 25; i < lines.Length; i += 25)
            lines[i] = lines[i][..(lines[i].LastIndexOf(',') + 1)] + "NA";
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>300 houses: two numbers (one cell empty), a group and the label <c>price</c>, around 1,000.</summary>
    public static string Regression(string path)
    {
        var random = new Random(3);
        var text = new StringBuilder("x1,x2,group,price\n");
        for (int i = 0; i < 300; i++)
        {
            double x1 = random.NextDouble() * 10, x2 = random.NextDouble() * 10 - 5;
            string group = random.Next(2) == 0 ? "a" : "b";
            double price = 1000 + 30 * x1 - 20 * x2 + (group == "a" ? 100 : 0) + Gauss(random, 0, 5);
            text.Append(i == 5 ? Row("", x2, group, price) : Row(x1, x2, group, price));
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>A file of the given lines.</summary>
    public static string Lines(string path, params string[] lines)
    {
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static string Row(params object[] cells)
        => string.Join(",", cells.Select(c => c is double d ? d.ToString("F3", CultureInfo.InvariantCulture) : Convert.ToString(c, CultureInfo.InvariantCulture))) + "\n";

    private static double Gauss(Random random, double mean, double deviation = 1)
        => mean + deviation * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
