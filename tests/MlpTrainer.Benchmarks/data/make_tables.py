"""Cleans the raw R tables (make_tables.sh dumps them) and scikit-learn's bundled ones into the tabular benchmark's
CSVs: sanitised column names (letters, digits, _), no missing values, a binary label as 0/1, a multiclass label as
text, and a `fold` column 0-4 (a seeded permutation, stratified by class for classification: position mod 5). A table
evaluated by 5-fold cross-validation uses every fold; a big one (over 10,000 rows) only fold 0 as a 20% holdout,
training on folds 1-4. Writes manifest.json next to them. Needs python3-sklearn and python3-pandas."""
import json
import os
import re
import sys

import numpy as np
import pandas as pd
from sklearn import datasets

SEED = 0


def clean_names(frame):
    frame.columns = [re.sub(r"[^A-Za-z0-9_]", "_", str(c)) for c in frame.columns]
    return frame


def folds_of(labels, stratified):
    """Fold 0-4 of each row: a seeded permutation (within each class when stratified), position mod 5."""
    rng = np.random.default_rng(SEED)
    folds = np.empty(len(labels), dtype=int)
    groups = [np.flatnonzero(labels == v) for v in pd.unique(labels)] if stratified else [np.arange(len(labels))]
    offset = 0
    for rows in groups:
        rows = rng.permutation(rows)
        folds[rows] = (np.arange(len(rows)) + offset) % 5
        offset += len(rows)
    return folds


def subsample(frame, rows, label):
    """A seeded, class-stratified sample of `rows` rows."""
    share = rows / len(frame)
    parts = [g.sample(frac=share, random_state=SEED) for _, g in frame.groupby(label, sort=True)]
    return pd.concat(parts).sort_index()


def sklearn_table(loader):
    bunch = loader(as_frame=True)
    return clean_names(bunch.frame.copy())


def raw(directory, name):
    return clean_names(pd.read_csv(os.path.join(directory, "raw", name + ".csv"), keep_default_na=True, na_values=[""]))


def prepare(directory):
    """Each table: (frame, spec). The spec's numeric / categorical / text lists name every feature column."""
    tables = []

    def add(name, frame, task, label, source, categorical=(), text=(), drop=(), folds=5, note=""):
        frame = frame.drop(columns=list(drop))
        before = len(frame)
        frame = frame.dropna().reset_index(drop=True)
        dropped = before - len(frame)
        if dropped:
            note = (note + " " if note else "") + f"{dropped} rows with a missing value dropped."
        categorical, text = list(categorical), list(text)
        numeric = [c for c in frame.columns if c != label and c not in categorical and c not in text]
        for c in categorical + text:
            frame[c] = frame[c].astype(str).str.replace(r"[\s\"]+", " ", regex=True).str.strip()
        for c in numeric:
            frame[c] = pd.to_numeric(frame[c]).astype(float)
        if task == "binary":
            values = sorted(frame[label].astype(str).unique())
            assert len(values) == 2, (name, values)
        tables.append((frame, dict(name=name, file=name + ".csv", source=source, task=task, label=label,
                                   metric={"regression": "rmse", "binary": "auc", "multiclass": "micro_accuracy"}[task],
                                   numeric=numeric, categorical=categorical, text=text, folds=folds, note=note)))

    # Regression
    add("diabetes", sklearn_table(lambda **k: datasets.load_diabetes(scaled=False, **k)), "regression", "target",
        "scikit-learn load_diabetes (raw features)")
    add("concrete", raw(directory, "concrete"), "regression", "compressive_strength", "R modeldata::concrete")
    ames = raw(directory, "ames")
    ames["Sale_Price"] = np.log10(ames["Sale_Price"])
    add("ames", ames, "regression", "Sale_Price", "R modeldata::ames",
        categorical=[c for c in ames.columns if ames[c].dtype == object], note="label log10(Sale_Price), as in Tidy Modeling with R.")
    sacramento = raw(directory, "Sacramento")
    sacramento["price"] = np.log10(sacramento["price"])
    add("sacramento", sacramento, "regression", "price", "R modeldata::Sacramento", categorical=["city", "zip", "type"],
        note="label log10(price).")
    cps = raw(directory, "CPS1988")
    cps["wage"] = np.log(cps["wage"])
    add("cps1988", cps, "regression", "wage", "R AER::CPS1988", categorical=["ethnicity", "smsa", "region", "parttime"], folds=1,
        note="label log(wage), as in AER's examples.")

    # Binary
    cancer = sklearn_table(datasets.load_breast_cancer)
    add("breast_cancer", cancer, "binary", "target", "scikit-learn load_breast_cancer")
    pima = raw(directory, "PimaIndiansDiabetes")
    pima["diabetes"] = (pima["diabetes"] == "pos").astype(int)
    add("pima", pima, "binary", "diabetes", "R mlbench::PimaIndiansDiabetes", note="label diabetes == pos.")
    credit = raw(directory, "credit_data")
    credit["Status"] = (credit["Status"] == "bad").astype(int)
    add("credit_data", credit, "binary", "Status", "R modeldata::credit_data",
        categorical=["Home", "Marital", "Records", "Job"], note="label Status == bad.")
    churn = raw(directory, "wa_churn")
    churn["churn"] = (churn["churn"] == "Yes").astype(int)
    add("wa_churn", churn, "binary", "churn", "R modeldata::wa_churn",
        categorical=[c for c in churn.columns if churn[c].dtype == object], note="label churn == Yes.")
    foods = raw(directory, "small_fine_foods")
    foods["score"] = (foods["score"] == "great").astype(int)
    foods = subsample(foods, 2000, "score")
    add("fine_foods", foods, "binary", "score", "R modeldata::small_fine_foods (training_data + testing_data)",
        text=["review"], drop=["product"], folds=1,
        note="label score == great; review is free text; the product identifier left out; a stratified sample of 2,000 "
             "of the 5,000 rows, one 80/20 holdout: on all rows FeaturizeText's n-grams made LightGbm take over 300 s a fit.")
    fertility = raw(directory, "Fertility")
    fertility["morekids"] = (fertility["morekids"] == "yes").astype(int)
    fertility = subsample(fertility, 50000, "morekids")
    add("fertility", fertility, "binary", "morekids", "R AER::Fertility",
        categorical=["gender1", "gender2", "afam", "hispanic", "other"], folds=1,
        note="label morekids == yes; a stratified sample of 50,000 of the 254,654 rows, to keep each fit under 60 s.")

    # Multiclass
    add("wine", sklearn_table(datasets.load_wine), "multiclass", "target", "scikit-learn load_wine")
    add("digits", sklearn_table(datasets.load_digits), "multiclass", "target", "scikit-learn load_digits")
    add("hpc_data", raw(directory, "hpc_data"), "multiclass", "class", "R modeldata::hpc_data", categorical=["protocol", "day"])
    add("letter", raw(directory, "LetterRecognition"), "multiclass", "lettr", "R mlbench::LetterRecognition", folds=1)
    shuttle = raw(directory, "Shuttle")
    add("shuttle", shuttle, "multiclass", "Class", "R mlbench::Shuttle", folds=1)
    return tables


def main(directory):
    manifest = []
    for frame, spec in prepare(directory):
        label = frame[spec["label"]]
        if spec["task"] == "multiclass":
            frame[spec["label"]] = label = label.astype(str).str.replace(r"[\s\",]+", "_", regex=True)
        frame = frame[spec["numeric"] + spec["categorical"] + spec["text"] + [spec["label"]]].copy()
        reserved = {"Label", "Features", "Fold", "NumericFeatures", "fold"}
        assert not reserved & set(frame.columns), spec["name"]
        frame["fold"] = folds_of(label.to_numpy(), stratified=spec["task"] != "regression")
        frame.to_csv(os.path.join(directory, spec["file"]), index=False)
        spec.update(rows=len(frame), columns=len(spec["numeric"]) + len(spec["categorical"]) + len(spec["text"]),
                    classes=int(label.nunique()) if spec["task"] != "regression" else None,
                    evaluation="5-fold cross-validation" if spec["folds"] == 5 else "80/20 holdout (fold 0 is the test part)")
        manifest.append(spec)
        print(f"{spec['name']}: {spec['rows']} rows, {spec['columns']} columns ({len(spec['numeric'])} numeric, "
              f"{len(spec['categorical'])} categorical, {len(spec['text'])} text), {spec['task']}", file=sys.stderr)
    with open(os.path.join(directory, "manifest.json"), "w") as f:
        json.dump({"tables": manifest}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
