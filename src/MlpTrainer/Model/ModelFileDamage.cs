using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MlpTrainer.Model;

/// <summary>
/// Says once, in one <see cref="InvalidDataException"/>, what is wrong with a model zip that ML.NET's
/// <c>ModelOperationsCatalog.Load</c> could not load because of damage (see <see cref="MlpModelLoading"/>).
/// </summary>
/// <remarks>
/// ML.NET finds each part of a model through its component catalog and creates it by reflection, so whatever a part's
/// loader throws reaches the caller wrapped once per level of the pipeline: as a <see cref="System.Reflection.TargetInvocationException"/>,
/// or as an <see cref="InvalidOperationException"/> "Error during class instantiation" when ML.NET itself had made the
/// exception (its <c>Contracts.Except*</c> helpers mark what they throw). Nothing a loader throws is let through
/// unwrapped. Two kinds of damage are found here:
/// <list type="bullet">
/// <item>MlpTrainer's own reader refused the MLP block (<see cref="NetworkSerializer"/>: checksum, truncation, shapes,
/// version): its exception carries the problem and the entry in <see cref="Exception.Data"/>.</item>
/// <item>ML.NET refused an entry before any loader ran: its header check (<c>ModelHeader.BeginRead</c>) throws a bare
/// <see cref="FormatException"/> ("One of the identified items was in an invalid format.") that names neither the
/// entry nor the problem. The zip is then read again and each model entry's 256-byte ML.NET header checked against
/// the entry's length, which finds an entry that was cut short.</item>
/// </list>
/// </remarks>
internal static class ModelFileDamage
{
    /// <summary><see cref="Exception.Data"/> key of the problem, as the end of a message ("its checksum does not match ...").</summary>
    public const string ProblemKey = "MlpTrainer.ModelProblem";

    /// <summary><see cref="Exception.Data"/> key of the zip entry holding the damaged MLP block, when the loader knows it.</summary>
    public const string EntryKey = "MlpTrainer.ModelEntry";

    /// <summary>The name of the stream of every model in ML.NET's zip (ML.NET's <c>ModelLoadContext.ModelStreamName</c>).</summary>
    public const string ModelStreamName = "Model.key";

    // ML.NET's model header (Microsoft.ML.Core, ModelHeader): 256 bytes at the start of each model stream.
    private const int HeaderSize = 0x100;
    private const ulong HeaderSignature = 0x4C45444F4D004C4DUL;   // "ML\0MODEL"
    private const int ModelSignatureOffset = 0x40;
    private const int FpLimOffset = 0x88;                          // the stream's length: header, model, strings, tail

    // The model signatures of MlpModelParameters, MlpBinaryModelParameters and MlpRegressionModelParameters (their VersionInfo).
    private static readonly string[] MlpModelSignatures = { "MLPMULTI", "MLPBINRY", "MLPREGRS" };

    /// <summary>The exception MlpTrainer's reader throws for a damaged MLP block, carrying its problem.</summary>
    public static InvalidDataException Problem(string modelName, string problem)
    {
        var error = new InvalidDataException($"Cannot load the MlpTrainer model {modelName}: {problem}.");
        error.Data[ProblemKey] = problem;
        return error;
    }

    /// <summary>
    /// The one exception to throw in place of <paramref name="thrown"/>, what ML.NET's <c>Load</c> threw for the
    /// model zip <paramref name="zip"/> (read from where it starts; null when it cannot be read again), or null when the
    /// failure is not damage this can name: then the caller rethrows what ML.NET threw.
    /// </summary>
    /// <param name="thrown">What ML.NET's <c>Load</c> threw.</param>
    /// <param name="source">Names the file in the message: <c>'model.zip'</c>, or <c>the stream</c>.</param>
    /// <param name="zip">The model zip again, at its start (left open), or null.</param>
    public static InvalidDataException? Explain(Exception thrown, string source, Stream? zip)
    {
        InvalidDataException? ours = Chain(thrown).OfType<InvalidDataException>().FirstOrDefault(e => e.Data[ProblemKey] is string);
        if (ours != null)
        {
            string problem = (string)ours.Data[ProblemKey]!;
            return ours.Data[EntryKey] is string entry
                ? new InvalidDataException($"Cannot load the MlpTrainer model in {source}, entry '{entry}': {problem}.", thrown)
                : new InvalidDataException($"Cannot load the MlpTrainer model in {source}: {problem}.", thrown);
        }

        if (zip is null || !Chain(thrown).Any(e => e is FormatException or EndOfStreamException or InvalidDataException))
            return null;
        try
        {
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            foreach (ZipArchiveEntry entry in archive.Entries)
            {
                if (entry.Name != ModelStreamName)
                    continue;
                (string? damage, bool isMlp) = CheckModelEntry(entry);
                if (damage != null)
                    return new InvalidDataException($"Cannot load the {(isMlp ? "MlpTrainer model" : "model")} in {source}, entry '{entry.FullName}': {damage}.", thrown);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // The zip itself cannot be read (its directory is damaged): ML.NET's own message says so already.
        }
        return null;
    }

    /// <summary>What is wrong with one model entry's ML.NET header (null when nothing), and whether it holds an MlpTrainer model.</summary>
    private static (string? Damage, bool IsMlp) CheckModelEntry(ZipArchiveEntry entry)
    {
        long length = entry.Length;
        byte[] header = new byte[HeaderSize];
        int read;
        using (Stream stream = entry.Open())
            read = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        bool isMlp = read >= ModelSignatureOffset + 8
                     && MlpModelSignatures.Contains(Encoding.ASCII.GetString(header, ModelSignatureOffset, 8));
        if (read < HeaderSize)
            return ($"the entry holds {length} bytes, fewer than the {HeaderSize} of ML.NET's model header: it was cut short", isMlp);
        if (BinaryPrimitives.ReadUInt64LittleEndian(header) != HeaderSignature)
            return ("the entry does not start with ML.NET's model header: it is damaged", isMlp);
        long recorded = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(FpLimOffset));
        if (recorded > length)
            return ($"the entry was cut short: its ML.NET header records {recorded} bytes, the entry holds {length}", isMlp);
        return (null, isMlp);
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            yield return x;
    }
}
