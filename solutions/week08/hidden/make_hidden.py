"""Regenerate week 8's frozen judge (deterministic; run from the repo root or anywhere).

The judge is ``MLPClassifier((128,), random_state=0)`` trained on the real
training split (the same split as weeks 5-6: 1437 images), pixels scaled to
[-1, 1] exactly as the notebook's ``to_gan_range`` does. It is saved without
pickle by ``autograder.thresholds.judge.train_judge`` as ``judge.npz``, together
with the training images, every real digit (training and held-out) for the copy
and blend gates, and the held-out digits for the feature distance. The file never
enters the sandbox: the host scores the samples the clean evaluator draws from the
student's ``generator`` with latent vectors of its own.
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from autograder.thresholds.judge import load_judge, train_judge

HERE = Path(__file__).resolve().parent


def main() -> None:
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=0.2, random_state=42, stratify=digits.target
    )
    images = (X_train / 8.0 - 1.0).astype(np.float32)
    out = HERE / "judge.npz"
    real = (digits.data / 8.0 - 1.0).astype(np.float32)
    held_out = (X_test / 8.0 - 1.0).astype(np.float32)
    train_judge(images, y_train, out, seed=0, real_images=real, heldout_images=held_out)
    judge = load_judge(out)
    predicted = judge.predict_proba(X_test / 8.0 - 1.0).argmax(axis=1)
    accuracy = float(np.mean(judge.classes[predicted] == y_test))
    print(f"week08 judge: {out.name}, held-out accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
