"""scikit-learn's MLP with default options (MLPRegressor / MLPClassifier, random_state=0) in its standard pipeline —
numeric columns StandardScaler-ed, categorical ones OneHotEncoder-ed (unknown categories ignored), text ones
TfidfVectorizer-ed — on the tables and folds of the tabular benchmark (manifest.json and the CSVs that
data/make_tables.sh wrote). Writes the same tab-separated lines as `dotnet run --project tests/MlpTrainer.Benchmarks --
tabular`: table, task, trainer, fold, metric, value, metric2, value2, fit seconds (the pipeline's fit).
  python3 tabular.py DATA_DIR OUT.tsv [table,table...]
Needs Debian's python3-sklearn and python3-pandas."""
import json
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score, roc_auc_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def pipeline(spec):
    parts = []
    if spec["numeric"]:
        parts.append(("numeric", StandardScaler(), spec["numeric"]))
    if spec["categorical"]:
        parts.append(("categorical", OneHotEncoder(handle_unknown="ignore"), spec["categorical"]))
    for column in spec["text"]:
        parts.append(("text_" + column, TfidfVectorizer(), column))   # a single column name: the vectorizer gets 1-D text
    model = MLPRegressor(random_state=0) if spec["task"] == "regression" else MLPClassifier(random_state=0)
    return make_pipeline(ColumnTransformer(parts), model)


def evaluate(spec, model, x, y, classes):
    if spec["task"] == "regression":
        predicted = model.predict(x)
        return "rmse", mean_squared_error(y, predicted) ** 0.5, "r2", r2_score(y, predicted)
    if spec["task"] == "binary":
        probability = model.predict_proba(x)[:, list(model.classes_).index(1)]
        return "auc", roc_auc_score(y, probability), "accuracy", accuracy_score(y, model.predict(x))
    # Log-loss over all the table's classes: a class missing from a training part has probability 0 (clipped).
    probabilities = np.zeros((len(y), len(classes)))
    probabilities[:, [list(classes).index(c) for c in model.classes_]] = model.predict_proba(x)
    return "micro_accuracy", accuracy_score(y, model.predict(x)), "log_loss", log_loss(y, probabilities, labels=classes)


def main(directory, output, only):
    warnings.simplefilter("ignore", ConvergenceWarning)
    with open(os.path.join(directory, "manifest.json")) as f:
        tables = json.load(f)["tables"]
    with open(output, "w") as out:
        out.write("table\ttask\ttrainer\tfold\tmetric\tvalue\tmetric2\tvalue2\tfit_seconds\n")
        for spec in tables:
            if only and spec["name"] not in only:
                continue
            types = {c: str for c in spec["categorical"] + spec["text"]}
            if spec["task"] == "multiclass":
                types[spec["label"]] = str
            frame = pd.read_csv(os.path.join(directory, spec["file"]), dtype=types, keep_default_na=False)
            x, y, folds = frame[spec["numeric"] + spec["categorical"] + spec["text"]], frame[spec["label"]].to_numpy(), frame["fold"].to_numpy()
            classes = np.unique(y)
            for fold in range(spec["folds"]):
                train, test = folds != fold, folds == fold
                model = pipeline(spec)
                started = time.perf_counter()
                model.fit(x[train], y[train])
                seconds = time.perf_counter() - started
                metric, value, metric2, value2 = evaluate(spec, model, x[test], y[test], classes)
                out.write(f"{spec['name']}\t{spec['task']}\tsklearn-mlp\t{fold}\t{metric}\t{value!r}\t{metric2}\t{value2!r}\t{seconds:.3f}\n")
                out.flush()
                print(f"{spec['name']} fold {fold} sklearn-mlp: {metric} {value:.4f}, {metric2} {value2:.4f}, fit {seconds:.2f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None)
