"""Model thresholds and the executor's fixed texts (student-facing)."""

from __future__ import annotations

THRESHOLDS: dict[str, dict[str, str]] = {
    # -- Model thresholds (student-facing)
    "threshold.scored_note": {
        "ko": "채점한 모델: {what} · {note}",
        "en": "scored: {what} · {note}",
    },
    "threshold.line_note": {"ko": "{line} · {note}", "en": "{line} · {note}"},
    "threshold.scored": {
        "ko": "채점한 모델: {what}",
        "en": "scored: {what}",
    },
    "threshold.export_missing": {
        "ko": "노트북에 `{variable}` 변수가 없습니다 (이 변수의 모델을 채점합니다)",
        "en": "the notebook has no variable `{variable}` (the model scored is this variable)",
    },
    "threshold.export_not_keras": {
        "ko": "`{variable}`은(는) Keras 모델(keras.Model)이어야 하는데 {type}입니다",
        "en": "`{variable}` must be a Keras model (keras.Model) but is a {type}",
    },
    "threshold.export_not_sklearn": {
        "ko": "`{variable}`은(는) scikit-learn 추정기여야 하는데 {type}입니다",
        "en": "`{variable}` must be a scikit-learn estimator but is a {type}",
    },
    "threshold.export_not_array": {
        "ko": "`{variable}`은(는) 숫자 배열이어야 하는데 {type}입니다",
        "en": "`{variable}` must be an array of numbers but is a {type}",
    },
    "threshold.export_too_large": {
        "ko": "내보낸 `{variable}` 모델이 너무 큽니다 (최대 {limit} MB)",
        "en": "the exported `{variable}` model is too large (at most {limit} MB)",
    },
    "threshold.export_failed": {
        "ko": "`{variable}` 모델을 내보낼 수 없습니다: {error}",
        "en": "the `{variable}` model cannot be exported: {error}",
    },
    # the clean evaluator refused to load the artifact: the advice follows the threshold's kind
    "threshold.load_refused_keras": {
        "ko": "`{variable}` 모델 파일을 코드 없이 불러올 수 없어 거부했습니다 ({detail}). Keras 기본 층만 쓰고 Lambda나 직접 만든 클래스는 쓰지 마세요",
        "en": "the `{variable}` model file was refused because it cannot be loaded without code ({detail}); use built-in Keras layers only, no Lambda or custom classes",
    },
    "threshold.load_refused_sklearn": {
        "ko": "`{variable}` 모델 파일을 코드 없이 불러올 수 없어 거부했습니다 ({detail}). 과제가 요구하는 종류의 scikit-learn 모델만 쓰고 직접 만든 클래스는 쓰지 마세요",
        "en": "the `{variable}` model file was refused because it cannot be loaded without code ({detail}); use only the kind of scikit-learn model the assignment asks for, no custom classes",
    },
    "threshold.load_failed": {
        "ko": "`{variable}` 모델 파일을 불러올 수 없습니다: {detail}",
        "en": "the `{variable}` model file cannot be loaded: {detail}",
    },
    "threshold.predict_failed": {
        "ko": "`{variable}` 모델이 평가 데이터로 예측하지 못했습니다: {detail}",
        "en": "the `{variable}` model failed to predict on the evaluation data: {detail}",
    },
    "threshold.bad_output": {
        "ko": "`{variable}` 모델의 출력을 채점할 수 없습니다: {detail}",
        "en": "the output of the `{variable}` model cannot be scored: {detail}",
    },
    "threshold.rule_failed": {
        "ko": "규칙 위반 ({rule}): {message}",
        "en": "rule broken ({rule}): {message}",
    },
    "threshold.rule_family": {
        "ko": "모델 종류가 {actual}입니다. 허용되는 종류: {allowed}",
        "en": "the model is a {actual}; allowed: {allowed}",
    },
    "threshold.rule_layers": {
        "ko": "{layer} 층이 {minimum}개 이상 있어야 하는데 {count}개입니다",
        "en": "needs at least {minimum} {layer} layer(s), has {count}",
    },
    "threshold.rule_input_shape": {
        "ko": "입력 모양이 {expected}이어야 하는데 {actual}입니다",
        "en": "the input shape must be {expected}, is {actual}",
    },
    "threshold.rule_output_shape": {
        "ko": "출력 모양이 {expected}이어야 하는데 {actual}입니다",
        "en": "the output shape must be {expected}, is {actual}",
    },
    "threshold.rule_params": {
        "ko": "파라미터가 {params:,}개로 한도 {limit:,}개를 넘습니다",
        "en": "{params:,} parameters exceed the budget of {limit:,}",
    },
    "threshold.rule_trained_keras": {
        "ko": "학습한 흔적이 없습니다 (compile 후 fit 한 모델이어야 합니다: 옵티마이저 반복 0회)",
        "en": "no evidence of training (the model must be compiled and fitted: 0 optimizer steps)",
    },
    "threshold.rule_trained_sklearn": {
        "ko": "학습(fit)하지 않은 추정기입니다",
        "en": "the estimator was not fitted",
    },
    "threshold.array_centres": {
        "ko": "중심 배열의 모양이 (k, {dim})이어야 하는데 {shape}입니다",
        "en": "the centres must have shape (k, {dim}), have {shape}",
    },
    "threshold.array_table": {
        "ko": "표의 모양이 {shape}입니다. 평가 데이터의 번호가 표 밖을 가리킵니다 (필요한 최소 모양: {needed})",
        "en": "the table has shape {shape}; the evaluation indices fall outside it (needs at least {needed})",
    },
    "threshold.probe_error": {
        "ko": "예측을 만들 수 없습니다: {error}",
        "en": "could not compute the predictions: {error}",
    },
    "threshold.no_artifact": {
        "ko": "예측이 만들어지지 않았습니다 (노트북이 예측 단계까지 실행되지 않았습니다)",
        "en": "no predictions were produced (the notebook did not reach the prediction step)",
    },
    "threshold.not_npy": {
        "ko": "예측 결과가 NumPy 배열(.npy)이 아닙니다",
        "en": "the predictions are not a NumPy array (.npy)",
    },
    "threshold.too_large_bytes": {
        "ko": "예측이 너무 큽니다 ({size} 바이트, 최대 {limit} 바이트)",
        "en": "the predictions are too large ({size} bytes, at most {limit} bytes)",
    },
    "threshold.too_many_elements": {
        "ko": "예측의 원소가 너무 많습니다 ({count}개, 최대 {limit}개)",
        "en": "the predictions have too many elements ({count}, at most {limit})",
    },
    "threshold.object_dtype": {
        "ko": "예측이 파이썬 객체 배열(dtype=object)입니다. 숫자 배열이어야 합니다",
        "en": "the predictions are an array of Python objects (dtype=object); they must be numbers",
    },
    "threshold.bad_dtype": {
        "ko": "예측의 자료형이 {dtype}입니다. 숫자(bool, 정수, 실수) 배열이어야 합니다",
        "en": "the predictions have dtype {dtype}; they must be numbers (bool, integer or float)",
    },
    "threshold.corrupt": {
        "ko": "예측 배열을 읽을 수 없습니다 (파일이 손상되었습니다)",
        "en": "the prediction array cannot be read (the file is corrupt)",
    },
    "threshold.empty": {
        "ko": "예측이 비어 있습니다",
        "en": "the predictions are empty",
    },
    "threshold.scalar": {
        "ko": "예측이 배열이 아니라 값 하나입니다 ({value}). 샘플마다 예측이 하나씩 있어야 합니다",
        "en": "the predictions are a single value ({value}), not one prediction per sample",
    },
    "threshold.nan": {
        "ko": "예측에 NaN이 있습니다 ({count}개)",
        "en": "the predictions contain NaN ({count} values)",
    },
    "threshold.inf": {
        "ko": "예측에 무한대(inf)가 있습니다 ({count}개)",
        "en": "the predictions contain infinity ({count} values)",
    },
    "threshold.rows": {
        "ko": "예측의 행 수가 {expected}이어야 하는데 {actual}입니다",
        "en": "the predictions should have {expected} rows but have {actual}",
    },
    "threshold.shape": {
        "ko": "예측의 모양이 {actual}입니다. 허용되는 모양: {allowed}",
        "en": "the predictions have shape {actual}; allowed shapes: {allowed}",
    },
    "threshold.either": {"ko": "{first} 또는 {second}", "en": "{first} or {second}"},
    "threshold.gates_and": {"ko": "{first}; {second}", "en": "{first}; {second}"},
    "threshold.not_class_labels": {
        "ko": "예측이 클래스 레이블(정수)이 아닙니다. 레이블 배열 (n,) 또는 확률 배열 (n, k)를 반환하세요",
        "en": "the predictions are not class labels (whole numbers); return labels (n,) or probabilities (n, k)",
    },
    "threshold.proba_columns": {
        "ko": "확률 배열의 열 수가 {expected}이어야 하는데 {actual}입니다",
        "en": "the probability array should have {expected} columns but has {actual}",
    },
    "threshold.proba_sum": {
        "ko": "다중 클래스 ROC AUC에는 각 행의 합이 1인 확률 배열 (n, k)가 필요합니다 (softmax 출력)",
        "en": "multiclass ROC AUC needs probabilities (n, k) whose rows sum to 1 (softmax output)",
    },
    "threshold.metric_failed": {
        "ko": "예측을 채점할 수 없습니다: {error}",
        "en": "the predictions cannot be scored: {error}",
    },
    "threshold.too_many_samples": {
        "ko": "생성된 이미지가 {actual}장입니다. 최대 {maximum}장까지 채점합니다",
        "en": "{actual} generated images; at most {maximum} are scored",
    },
    "threshold.single_cluster": {
        "ko": "군집이 {count}개뿐이라 실루엣 점수를 계산할 수 없습니다 (2개 이상, 샘플 수 미만이어야 합니다)",
        "en": "silhouette needs at least 2 clusters and fewer clusters than samples; got {count}",
    },
    "threshold.pixel_range": {
        "ko": "픽셀 값은 [{low}, {high}] 범위여야 합니다 (최솟값 {min:.3g}, 최댓값 {max:.3g})",
        "en": "pixel values must lie in [{low}, {high}] (min {min:.3g}, max {max:.3g})",
    },
    "threshold.too_few_samples": {
        "ko": "생성된 이미지가 {actual}장입니다. 최소 {minimum}장이 필요합니다",
        "en": "{actual} generated images; at least {minimum} are needed",
    },
    "threshold.gate_failed": {
        "ko": "품질 조건을 통과하지 못했습니다: {gates}",
        "en": "quality gates failed: {gates}",
    },
    "threshold.gate_confidence": {
        "ko": "판정기(채점용 숫자 분류기)의 평균 확신도 {value:.3f} < {limit:g} (숫자처럼 보이지 않습니다)",
        "en": "judge's mean confidence {value:.3f} < {limit:g} (the samples do not look like digits)",
    },
    "threshold.gate_coverage": {
        "ko": "2% 이상 생성된 숫자 종류 {value:.0f}개 < {limit:g}개 (모드 붕괴)",
        "en": "{value:.0f} digit classes with at least 2% of the samples < {limit:g} (mode collapse)",
    },
    "threshold.gate_nearest": {
        "ko": "학습 이미지까지의 평균 최근접 거리 {value:.3f} < {limit:g} (학습 이미지를 복사했습니다)",
        "en": "mean nearest-neighbour distance to the training images {value:.3f} < {limit:g} (copies of training images)",
    },
    "threshold.gate_diversity": {
        "ko": "샘플 간 평균 거리 {value:.3f} < {limit:g} (샘플이 서로 너무 비슷합니다)",
        "en": "mean pairwise distance between samples {value:.3f} < {limit:g} (the samples are too alike)",
    },
    "threshold.gate_copied": {
        "ko": "실제 숫자 이미지(또는 1픽셀 이동한 것)를 거의 그대로 낸 샘플 비율 {value:.2f} > {limit:g} (복사)",
        "en": "share of samples that are (shifted) real digit images {value:.2f} > {limit:g} (copies)",
    },
    "threshold.gate_blended": {
        "ko": "실제 이미지 두 장을 섞은 것과 같은 샘플 비율 {value:.2f} > {limit:g} (섞기)",
        "en": "share of samples that are blends of two real images {value:.2f} > {limit:g} (blends)",
    },
    "threshold.gate_roughness": {
        "ko": "이웃 픽셀 차이가 실제 숫자의 {value:.2f}배 > {limit:g} (잡음 섞인 이미지)",
        "en": "neighbouring-pixel differences {value:.2f}x those of real digits > {limit:g} (noisy images)",
    },
    "threshold.gate_features": {
        "ko": "판정기 특징 공간에서 실제 숫자와의 거리(FID 방식) {value:.1f} > {limit:g} (숫자 분포와 다릅니다)",
        "en": "feature distance to real digits (FID-style, judge features) {value:.1f} > {limit:g} (not distributed like digits)",
    },
    "threshold.line": {
        "ko": "당신의 모델: {value} — 목표 {target} {mark} ({points}/{max_points}점)",
        "en": "your model: {value} — target {target} {mark} ({points}/{max_points} points)",
    },
    "threshold.no_value": {
        "ko": "결과 없음",
        "en": "no result",
    },
    "threshold.ok": {
        "ko": "목표를 달성했습니다",
        "en": "target reached",
    },
    "threshold.partial": {
        "ko": "최저 기준({floor})은 넘었지만 목표({target})에는 못 미칩니다",
        "en": "above the floor {floor} but short of the target {target}",
    },
    "threshold.below_floor": {
        "ko": "최저 기준({floor})에 못 미칩니다",
        "en": "below the floor {floor}",
    },
    # -- The executor's fixed English texts for export/probe failures (the `en` text is the executor's own, matched exactly)
    "executor.no_model_was_exported": {
        "ko": "모델이 내보내지지 않았습니다",
        "en": "no model was exported",
    },
    "executor.export_is_not_a_regular": {
        "ko": "내보낸 모델이 일반 파일이 아닙니다",
        "en": "the export is not a regular file",
    },
    "executor.kernel_died_while_exporting_model": {
        "ko": "모델을 내보내는 중에 커널이 종료되었습니다",
        "en": "the kernel died while exporting the model",
    },
    "executor.kernel_died_while_computing_predictions": {
        "ko": "예측을 계산하는 중에 커널이 종료되었습니다",
        "en": "the kernel died while computing predictions",
    },
    "executor.no_predictions_were_produced": {
        "ko": "예측이 만들어지지 않았습니다",
        "en": "no predictions were produced",
    },
    "executor.predictions_are_too_large": {
        "ko": "예측이 너무 큽니다",
        "en": "the predictions are too large",
    },
    "executor.notebook_did_not_finish": {
        "ko": "노트북이 끝까지 실행되지 않았습니다",
        "en": "the notebook did not finish",
    },
    "executor.notebook_did_not_run": {
        "ko": "노트북이 실행되지 않았습니다",
        "en": "the notebook did not run",
    },
    "executor.probe_raised_an_error": {
        "ko": "예측 코드에서 오류가 발생했습니다",
        "en": "the probe raised an error",
    },
    "executor.timed_out": {
        "ko": "{seconds}초 안에 끝나지 않았습니다",
        "en": "timed out after {seconds} s",
    },
}
