using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Samples.Data;

/// <summary>
/// Fashion-MNIST as Debian's <c>dataset-fashion-mnist</c> package installs it: gzipped IDX files of 28×28
/// grey-scale images (bytes 0–255) and their labels 0–9. The pixels stay as bytes in memory; the data view
/// turns one row at a time into floats, so a pipeline reads them without a second full copy.
/// </summary>
public sealed class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
    public const int ImageSize = 28 * 28;

    public static readonly string[] ClassNames =
        { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    private FashionMnist(byte[] pixels, byte[] labels)
    {
        Pixels = pixels;
        Labels = labels;
    }

    /// <summary>Row-major pixels, <see cref="ImageSize"/> bytes per image.</summary>
    public byte[] Pixels { get; }

    /// <summary>The class (0–9) of each image.</summary>
    public byte[] Labels { get; }

    public int Count => Labels.Length;

    /// <summary>True when both the training and the test files are in <paramref name="directory"/>.</summary>
    public static bool IsInstalled(string directory = DefaultDirectory)
        => File.Exists(Path.Combine(directory, FileName(train: true, images: true)))
           && File.Exists(Path.Combine(directory, FileName(train: false, images: true)));

    /// <summary>Loads the training (60,000 images) or test (10,000 images) set, optionally only its first <paramref name="maxRows"/> images.</summary>
    /// <exception cref="FileNotFoundException">The package is not installed; the message says how to install it.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid IDX file; the message names it.</exception>
    public static FashionMnist Load(bool train, int? maxRows = null, string directory = DefaultDirectory)
    {
        string imagesPath = Path.Combine(directory, FileName(train, images: true));
        string labelsPath = Path.Combine(directory, FileName(train, images: false));
        foreach (string path in new[] { imagesPath, labelsPath })
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"Fashion-MNIST file '{path}' is missing: install it with 'apt-get install dataset-fashion-mnist'.", path);
        }

        byte[] images = ReadIdx(imagesPath, expectedMagic: 0x00000803, out int[] imageDims);
        byte[] labels = ReadIdx(labelsPath, expectedMagic: 0x00000801, out int[] labelDims);
        if (imageDims.Length != 3 || imageDims[1] * imageDims[2] != ImageSize)
            throw new InvalidDataException($"'{imagesPath}' holds images of shape {string.Join("×", imageDims)}; 28×28 images expected.");
        if (labelDims[0] != imageDims[0])
            throw new InvalidDataException($"'{labelsPath}' has {labelDims[0]} labels but '{imagesPath}' has {imageDims[0]} images.");
        foreach (byte label in labels)
        {
            if (label > 9)
                throw new InvalidDataException($"'{labelsPath}' holds the label {label}; labels are 0 to 9.");
        }

        int count = Math.Min(imageDims[0], maxRows ?? int.MaxValue);
        return count == imageDims[0]
            ? new FashionMnist(images, labels)
            : new FashionMnist(images.AsSpan(0, count * ImageSize).ToArray(), labels.AsSpan(0, count).ToArray());
    }

    /// <summary>The images as an ML.NET data view with a <c>Label</c> (Single, the class 0–9) and raw 0–255 <c>Features</c>.</summary>
    public IDataView ToDataView(MLContext mlContext)
    {
        var schema = SchemaDefinition.Create(typeof(ImageRow));
        schema[nameof(ImageRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ImageSize);
        return mlContext.Data.LoadFromEnumerable(Rows(), schema);
    }

    /// <summary>Pixels of image <paramref name="index"/> as floats 0–255.</summary>
    public float[] Image(int index)
    {
        var features = new float[ImageSize];
        ReadOnlySpan<byte> source = Pixels.AsSpan(index * ImageSize, ImageSize);
        for (int i = 0; i < ImageSize; i++)
            features[i] = source[i];
        return features;
    }

    private IEnumerable<ImageRow> Rows()
    {
        for (int i = 0; i < Count; i++)
            yield return new ImageRow { Label = Labels[i], Features = Image(i) };
    }

    private static string FileName(bool train, bool images)
        => $"{(train ? "train" : "t10k")}-{(images ? "images-idx3" : "labels-idx1")}-ubyte.gz";

    /// <summary>Reads an IDX file straight into an array of its exact size: no intermediate copies of the data.</summary>
    private static byte[] ReadIdx(string path, int expectedMagic, out int[] dims)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        try
        {
            Span<byte> word = stackalloc byte[4];
            if (gzip.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4 || BinaryPrimitives.ReadInt32BigEndian(word) != expectedMagic)
                throw new InvalidDataException($"'{path}' is not an IDX file of the expected kind (magic 0x{expectedMagic:X8}).");
            int rank = expectedMagic & 0xFF;
            dims = new int[rank];
            long total = 1;
            for (int i = 0; i < rank; i++)
            {
                if (gzip.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
                    throw new InvalidDataException($"'{path}' ends inside its header.");
                dims[i] = BinaryPrimitives.ReadInt32BigEndian(word);
                if (dims[i] < 1)
                    throw new InvalidDataException($"'{path}' declares a dimension of {dims[i]}.");
                total *= dims[i];
            }
            if (total > Array.MaxLength)
                throw new InvalidDataException($"'{path}' declares {total} bytes of data ({string.Join("×", dims)}), more than one array holds.");
            var data = new byte[total];
            int read = gzip.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (read < data.Length)
                throw new InvalidDataException($"'{path}' declares {total} bytes of data ({string.Join("×", dims)}) but holds {read}.");
            if (gzip.ReadByte() != -1)
                throw new InvalidDataException($"'{path}' holds more data than its header declares ({string.Join("×", dims)}).");
            return data;
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith('\''))
        {
            throw new InvalidDataException($"'{path}' is not a valid gzip file: {e.Message}", e);
        }
    }

    private sealed class ImageRow
    {
        public float Label { get; set; }

        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
