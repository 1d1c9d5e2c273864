"""The tabular benchmark's report: reads the per-fold lines of the .NET side (`tabular` command) and of peers/tabular.py,
averages each trainer's metrics and fit times over a table's folds, takes the better of the two linear trainers per
table (by its mean primary metric), ranks the five trainers on every table (1 = best primary metric: lowest RMSE,
highest AUC, highest micro-accuracy; ties share the mean rank) and averages the ranks over the tables. Writes a
Markdown report (the tables, the metrics, the fit times, the mean ranks), a CSV of the per-table means, and a PNG of
the normalised scores (per table, 1 = best of the five trainers, 0 = worst).
  python3 tabular_report.py MANIFEST.json DOTNET.tsv SKLEARN.tsv OUT.md OUT.csv OUT.png "header line"
Needs Debian's python3-pandas and python3-matplotlib."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

TRAINERS = ["mlp", "lightgbm", "fasttree", "linear", "sklearn-mlp"]
TITLES = {"mlp": "MlpTrainer defaults", "lightgbm": "LightGbm", "fasttree": "FastTree", "linear": "best linear",
          "sklearn-mlp": "scikit-learn MLP"}
LINEAR = {  # the two linear trainers of each task, as the .NET side names them
    ("regression", "linear-sdca"): "Sdca", ("regression", "linear-alt"): "OnlineGradientDescent",
    ("binary", "linear-sdca"): "SdcaLogisticRegression", ("binary", "linear-alt"): "LbfgsLogisticRegression",
    ("multiclass", "linear-sdca"): "SdcaMaximumEntropy", ("multiclass", "linear-alt"): "LbfgsMaximumEntropy",
}
SHORT = {"Sdca": "Sdca", "OnlineGradientDescent": "OGD", "SdcaLogisticRegression": "Sdca", "LbfgsLogisticRegression": "Lbfgs",
         "SdcaMaximumEntropy": "Sdca", "LbfgsMaximumEntropy": "Lbfgs"}
LOWER_IS_BETTER = {"rmse": True, "auc": False, "micro_accuracy": False}


def summarise(manifest, runs):
    means = (runs.groupby(["table", "task", "trainer", "metric", "metric2"], sort=False)
             .agg(value=("value", "mean"), value2=("value2", "mean"), sd=("value", "std"), folds=("fold", "count"),
                  fit_mean=("fit_seconds", "mean"), fit_max=("fit_seconds", "max")).reset_index())
    rows = []
    for spec in manifest:
        table = means[means.table == spec["name"]]
        if table.empty:
            continue
        lower = LOWER_IS_BETTER[spec["metric"]]
        linear = table[table.trainer.str.startswith("linear-")]
        if not linear.empty:
            best = linear.sort_values("value", ascending=lower).iloc[0].copy()
            best["linear_name"] = LINEAR[(spec["task"], best.trainer)]
            best["trainer"] = "linear"
            table = pd.concat([table[~table.trainer.str.startswith("linear-")], best.to_frame().T])
        table = table[table.trainer.isin(TRAINERS)].copy()
        table["rank"] = table["value"].astype(float).rank(ascending=lower, method="average")
        worst, top = table.value.astype(float).max(), table.value.astype(float).min()
        if not lower:
            worst, top = top, worst
        table["normalised"] = 1.0 if top == worst else (table.value.astype(float) - worst) / (top - worst)
        rows.append(table)
    return pd.concat(rows, ignore_index=True)


def markdown(manifest, summary, header):
    present = [t for t in TRAINERS if t in set(summary.trainer)]
    specs = [s for s in manifest if s["name"] in set(summary.table)]
    lines = [header, ""]
    lines += ["| table | source | rows | columns (numeric / categorical / text) | task | evaluation | note |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for s in specs:
        task = s["task"] + (f" ({s['classes']} classes)" if s["task"] == "multiclass" else "")
        lines.append(f"| {s['name']} | {s['source']} | {s['rows']:,} | {s['columns']} ({len(s['numeric'])} / {len(s['categorical'])} / {len(s['text'])}) "
                     f"| {task} | {s['evaluation']} | {s['note']} |")
    lines += ["", "Mean over the evaluated folds of the primary metric (best in bold), the second metric in brackets "
              "(regression RMSE (R²), binary AUC (accuracy), multiclass micro-accuracy (log-loss)):", ""]
    lines += ["| table (metric) | " + " | ".join(TITLES[t] for t in present) + " |", "| --- |" + " --- |" * len(present)]
    for s in specs:
        table = summary[summary.table == s["name"]].set_index("trainer")
        cells = []
        for t in present:
            if t not in table.index:
                cells.append("–")
                continue
            r = table.loc[t]
            value = f"{float(r.value):.4f}"
            if float(r["rank"]) == float(table["rank"].min()):
                value = f"**{value}**"
            name = f" {SHORT[r.linear_name]}" if t == "linear" else ""
            cells.append(f"{value} ({float(r.value2):.3f}){name}")
        lines.append(f"| {s['name']} ({s['metric']}) | " + " | ".join(cells) + " |")
    ranks = summary.groupby("trainer")["rank"].mean()
    lines.append("| **mean rank** (1 = best) | " + " | ".join(f"**{ranks[t]:.2f}**" for t in present) + " |")
    for task in ("regression", "binary", "multiclass"):
        part = summary[summary.task == task]
        if not part.empty:
            r = part.groupby("trainer")["rank"].mean()
            lines.append(f"| mean rank, {task} ({part.table.nunique()} tables) | " + " | ".join(f"{r[t]:.2f}" if t in r else "–" for t in present) + " |")
    lines += ["", "Fit time per fit in seconds: mean over the folds / slowest fold (the whole pipeline's `Fit`, featurizing included; "
              "for best linear, the chosen one's):", ""]
    lines += ["| table | " + " | ".join(TITLES[t] for t in present) + " |", "| --- |" + " --- |" * len(present)]
    for s in specs:
        table = summary[summary.table == s["name"]].set_index("trainer")
        lines.append(f"| {s['name']} | " + " | ".join(
            f"{float(table.loc[t].fit_mean):.2f} / {float(table.loc[t].fit_max):.2f}" if t in table.index else "–" for t in present) + " |")
    slowest = summary.loc[summary.fit_max.astype(float).idxmax()]
    lines += ["", f"Slowest single fit: {TITLES[slowest.trainer]} on {slowest.table}, {float(slowest.fit_max):.1f} s."]
    return "\n".join(lines) + "\n"


def plot(manifest, summary, path):
    present = [t for t in TRAINERS if t in set(summary.trainer)]
    names = [s["name"] for s in manifest if s["name"] in set(summary.table)]
    ranks = summary.groupby("trainer")["rank"].mean()
    markers = {"mlp": "o", "lightgbm": "s", "fasttree": "^", "linear": "v", "sklearn-mlp": "D"}
    figure, axes = plt.subplots(figsize=(max(8, 0.7 * len(names) + 2), 4.8))
    for i, t in enumerate(present):
        part = summary[summary.trainer == t].set_index("table")
        xs = [k + (i - (len(present) - 1) / 2) * 0.12 for k, n in enumerate(names) if n in part.index]
        ys = [float(part.loc[n].normalised) for n in names if n in part.index]
        axes.scatter(xs, ys, marker=markers[t], s=60 if t == "mlp" else 36, zorder=3 if t == "mlp" else 2,
                     label=f"{TITLES[t]} (mean rank {ranks[t]:.2f})")
    axes.set_xticks(range(len(names)))
    axes.set_xticklabels(names, rotation=45, ha="right")
    axes.set_ylabel("normalised score per table\n(1 = best trainer, 0 = worst)")
    axes.set_ylim(-0.05, 1.05)
    axes.grid(axis="y", alpha=0.3)
    axes.set_title("Default options on real tables: primary metric (RMSE, AUC, micro-accuracy), min-max normalised per table")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=3, fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(manifest_path, dotnet, sklearn, out_md, out_csv, out_png, header):
    with open(manifest_path) as f:
        manifest = json.load(f)["tables"]
    runs = pd.concat([pd.read_csv(dotnet, sep="\t"), pd.read_csv(sklearn, sep="\t")], ignore_index=True)
    summary = summarise(manifest, runs)
    text = markdown(manifest, summary, header)
    with open(out_md, "w") as f:
        f.write(text)
    summary.drop(columns=["normalised"]).to_csv(out_csv, index=False, float_format="%.6g")
    plot(manifest, summary, out_png)
    print(text)


if __name__ == "__main__":
    main(*sys.argv[1:8])
