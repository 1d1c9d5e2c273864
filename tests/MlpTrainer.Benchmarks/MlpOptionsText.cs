using System.Globalization;
using System.Reflection;

namespace MlpTrainer.Benchmarks;

/// <summary>
/// Reads <c>"Field=value;Field=value"</c> into an <see cref="MlpOptions"/> that starts from the defaults: how the
/// benchmarks measure a candidate default without a rebuild. Values are parsed by the field's type: numbers (invariant
/// culture), booleans, enum names, and integer arrays written <c>256,256</c>; <c>null</c> clears a nullable field.
/// </summary>
internal static class MlpOptionsText
{
    public static MlpOptions Parse(string? text)
    {
        var options = new MlpOptions();
        if (string.IsNullOrWhiteSpace(text))
            return options;
        foreach (string setting in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = setting.IndexOf('=');
            if (equals <= 0)
                throw new ArgumentException($"'{setting}' is not Field=value (in --mlp \"{text}\").");
            string name = setting[..equals].Trim(), value = setting[(equals + 1)..].Trim();
            FieldInfo field = typeof(MlpOptions).GetField(name, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new ArgumentException($"MlpOptions has no field '{name}'.");
            field.SetValue(options, Convert(value, field.FieldType, name));
        }
        return options;
    }

    private static object? Convert(string value, Type type, string name)
    {
        Type? underlying = Nullable.GetUnderlyingType(type);
        if (value == "null")
            return underlying is not null || !type.IsValueType ? null : throw new ArgumentException($"{name} cannot be null.");
        type = underlying ?? type;
        if (type == typeof(int[]))
            return value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (type.IsEnum)
            return Enum.Parse(type, value, ignoreCase: true);
        return System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
    }
}
