using Microsoft.ML;
using MlpTrainer.Model;

namespace MlpTrainer;

/// <summary>
/// Loads a model saved with <c>mlContext.Model.Save</c> as <c>mlContext.Model.Load</c> does, except that a damaged
/// file fails with one <see cref="InvalidDataException"/> naming the file, the damaged entry and what is wrong:
/// <c>mlContext.Model.LoadMlp("model.zip", out var schema)</c>.
/// </summary>
/// <remarks>
/// ML.NET's <c>Load</c> creates every part of a pipeline by reflection, so what a part's loader throws reaches its
/// caller wrapped once per level (<see cref="System.Reflection.TargetInvocationException"/>, or
/// <see cref="InvalidOperationException"/> "Error during class instantiation"), and an entry cut short fails in ML.NET's
/// own header check with a <see cref="FormatException"/> that names neither the entry nor the problem. <c>LoadMlp</c>
/// calls <c>Load</c> and, when it fails because an MLP entry is damaged (MlpTrainer's checksum, truncation, shape or
/// version checks) or because a model entry of the zip was cut short, throws an <see cref="InvalidDataException"/> in
/// its place whose message says it all, with ML.NET's exception as its inner exception. Any other failure is rethrown
/// as ML.NET threw it. A model that loads is exactly what <c>Load</c> returns.
/// </remarks>
public static class MlpModelLoading
{
    /// <summary>Loads the model in the file <paramref name="filePath"/>, as <c>mlContext.Model.Load(filePath, out inputSchema)</c>.</summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="filePath">A model zip written by <c>mlContext.Model.Save</c>.</param>
    /// <param name="inputSchema">The schema the model was saved with (null when it was saved without one).</param>
    /// <exception cref="InvalidDataException">The file is damaged: the message names the file, the entry in the zip and
    /// the damage, e.g. "Cannot load the MlpTrainer model in 'model.zip', entry 'TransformerChain/Transform_002/Model/Model.key':
    /// its checksum does not match (stored 0x58ED2C96, computed 0xFE795677): the weights are damaged."</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static ITransformer LoadMlp(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        try
        {
            return catalog.Load(filePath, out inputSchema);
        }
        catch (Exception e) when (e is not (FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException))
        {
            InvalidDataException? damage;
            using (FileStream? file = OpenOrNull(filePath))
                damage = ModelFileDamage.Explain(e, $"'{filePath}'", file);
            if (damage is null)
                throw;
            throw damage;
        }
    }

    /// <summary>Loads the model in <paramref name="stream"/>, as <c>mlContext.Model.Load(stream, out inputSchema)</c>.</summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="stream">A model zip written by <c>mlContext.Model.Save</c>. To find an entry that was cut short the
    /// stream must be seekable (it is read again from where it started); otherwise only damage MlpTrainer's own checks
    /// found is named.</param>
    /// <param name="inputSchema">The schema the model was saved with (null when it was saved without one).</param>
    /// <exception cref="InvalidDataException">The model is damaged: the message names the entry in the zip and the damage.</exception>
    public static ITransformer LoadMlp(this ModelOperationsCatalog catalog, Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        long? start = stream.CanSeek ? stream.Position : null;
        try
        {
            return catalog.Load(stream, out inputSchema);
        }
        catch (Exception e)
        {
            Stream? again = null;
            if (start is long position && stream.CanSeek)
            {
                stream.Position = position;
                again = stream;
            }
            InvalidDataException? damage = ModelFileDamage.Explain(e, stream is FileStream file ? $"'{file.Name}'" : "the stream", again);
            if (damage is null)
                throw;
            throw damage;
        }
    }

    private static FileStream? OpenOrNull(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
