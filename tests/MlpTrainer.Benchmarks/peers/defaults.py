"""scikit-learn's MLP with default options, and with solver="lbfgs", cross-validated on the tables and folds that
`dotnet run --project tests/MlpTrainer.Benchmarks -- defaults` wrote (each CSV: features, label, fold).
Prints one line per table and variant: name, metric, mean over the folds, standard deviation, seconds.
Needs Debian's python3-sklearn."""
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

TABLES = [("diabetes", "regression"), ("breast_cancer", "binary"), ("wine", "multiclass"), ("digits", "multiclass")]


def main(directory):
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, task in TABLES:
        data = np.loadtxt(f"{directory}/{name}.csv", delimiter=",", skiprows=1)
        x, y, folds = data[:, :-2], data[:, -2], data[:, -1].astype(int)
        for variant, solver in (("sklearn-defaults", "adam"), ("sklearn-lbfgs", "lbfgs")):
            scores = []
            started = time.perf_counter()
            for fold in range(5):
                train, test = folds != fold, folds == fold
                if task == "regression":
                    model = make_pipeline(StandardScaler(), MLPRegressor(solver=solver, random_state=0))
                    model.fit(x[train], y[train])
                    scores.append(mean_squared_error(y[test], model.predict(x[test])) ** 0.5)
                else:
                    model = make_pipeline(StandardScaler(), MLPClassifier(solver=solver, random_state=0))
                    model.fit(x[train], y[train])
                    scores.append(accuracy_score(y[test], model.predict(x[test])))
            metric = "rmse" if task == "regression" else "accuracy"
            print(f"{name} {metric} {variant} {np.mean(scores):.4f} {np.std(scores, ddof=1):.4f} {time.perf_counter() - started:.1f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/mlp-defaults")
