"""Every sentence people read, in Korean and English, keyed by stable codes.

Results hold codes and parameters (`autograder.messages.Message`); this table is
rendered only at the edges (feedback, reports, console, the JSON text fields).
A code is `area.name`; `tests/test_messages.py` checks that every code has both
languages with the same placeholders.
"""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    # free text with no code (an exception's message, a result stored before codes)
    "note.text": {"ko": "{text}", "en": "{text}"},
    # the problems or flags past the 50 listed
    "note.more": {"ko": "… (+{count})", "en": "… (+{count})"},
    # -- Results: tests, problems, refused files, flags, penalties (student-facing)
    "test.passed": {
        "ko": "통과",
        "en": "passed",
    },
    "test.error": {
        "ko": "{error}",
        "en": "{error}",
    },
    "test.stderr": {
        "ko": "테스트 셀이 표준 오류(stderr)에 출력해 실패로 처리되었습니다",
        "en": "the test cell wrote to stderr, which counts as a failure",
    },
    "test.timeout": {
        "ko": "시간 제한을 넘겼습니다",
        "en": "the cell ran past its time limit",
    },
    "test.not_run": {
        "ko": "실행되지 않았습니다 (앞에서 커널이 멈췄거나 시간 제한을 넘겼습니다)",
        "en": "not run (the kernel stopped or time ran out earlier)",
    },
    "test.missing_notebook": {
        "ko": "노트북 {notebook}을(를) 채점할 수 없어 0점입니다",
        "en": "notebook {notebook} could not be graded, so this scores zero",
    },
    "test.hidden_failed": {
        "ko": "숨겨진 테스트를 통과하지 못했습니다",
        "en": "a hidden test did not pass",
    },
    "test.hidden_error": {"ko": "{kind}: {hint}", "en": "{kind}: {hint}"},
    "test.manual": {
        "ko": "교수자가 직접 채점합니다",
        "en": "graded by the instructor",
    },
    "test.no_answer": {
        "ko": "답이 작성되지 않았습니다",
        "en": "no answer was written",
    },
    "test.partial": {
        "ko": "부분 점수",
        "en": "partial credit",
    },
    "problem.notebook_missing": {
        "ko": "노트북 {notebook}이(가) 제출물에 없습니다",
        "en": "notebook {notebook} is missing from the submission",
    },
    "problem.notebook_renamed": {
        "ko": "노트북 {expected} 대신 {found}을(를) 채점했습니다",
        "en": "graded {found} in place of the expected {expected}",
    },
    "problem.notebook_unreadable": {
        "ko": "노트북 {notebook}을(를) 읽을 수 없습니다: {error}",
        "en": "notebook {notebook} cannot be read: {error}",
    },
    "problem.notebook_too_large": {
        "ko": "노트북 {notebook}이(가) 너무 큽니다 ({size} MB)",
        "en": "notebook {notebook} is too large ({size} MB)",
    },
    "problem.cell_restored": {
        "ko": "잠긴 셀 '{cell}'이(가) 수정되어 원본으로 복원했습니다",
        "en": "locked cell '{cell}' was modified; restored from the source",
    },
    "problem.cell_readded": {
        "ko": "삭제된 셀 '{cell}'을(를) 원본에서 다시 추가했습니다",
        "en": "deleted cell '{cell}' was re-added from the source",
    },
    "problem.timeout": {
        "ko": "노트북 실행이 시간 제한({seconds}초)을 넘겨 중단되었습니다",
        "en": "the notebook ran past its time limit ({seconds} s) and was stopped",
    },
    "problem.kernel_died": {
        "ko": "실행 중 커널이 종료되었습니다; 이후 셀은 실행되지 않았습니다",
        "en": "the kernel died; later cells did not run",
    },
    "problem.memory": {
        "ko": "메모리 제한({memory} MB)을 넘겨 커널이 종료되었습니다 (memory limit exceeded)",
        "en": "memory limit exceeded ({memory} MB); the kernel was killed",
    },
    "problem.cell_timeout": {
        "ko": "{notebook}의 {cell}번째 코드 셀이 시간 제한을 넘겨 중단되었습니다",
        "en": "code cell {cell} of {notebook} ran past its time limit and was interrupted",
    },
    "problem.output_truncated": {
        "ko": "출력이 너무 많아 일부를 잘랐습니다",
        "en": "the output was too large and was truncated",
    },
    "problem.sanitize": {
        "ko": "노트북 {notebook}의 셀 정보가 손상되었습니다: {error}",
        "en": "notebook {notebook} has damaged cell metadata: {error}",
    },
    "problem.internal_metadata": {
        "ko": "노트북 {notebook}에서 채점기 내부용 메타데이터({keys})를 제거했습니다",
        "en": "removed the grader's internal metadata ({keys}) from notebook {notebook}",
    },
    "problem.bad_file": {
        "ko": "파일 {name}을(를) 채점에서 제외했습니다: {why}",
        "en": "file {name} was left out of grading: {why}",
    },
    "file.not_utf8": {
        "ko": "이름이 UTF-8이 아닙니다",
        "en": "the name is not valid UTF-8",
    },
    "file.not_relative": {
        "ko": "상대 경로가 아닙니다",
        "en": "the path is not relative",
    },
    "file.leaves_folder": {
        "ko": "경로가 제출 폴더 밖을 가리키거나 빈 부분이 있습니다",
        "en": "the path leaves the submission folder or has empty parts",
    },
    "file.path_too_long": {
        "ko": "경로가 너무 깁니다",
        "en": "the path is too long",
    },
    "file.name_too_long": {
        "ko": "이름이 255바이트보다 깁니다",
        "en": "a name is longer than 255 bytes",
    },
    "file.invisible": {
        "ko": "이름에 제어 문자나 보이지 않는 문자가 있습니다",
        "en": "the name holds control or invisible characters",
    },
    "file.symlink": {
        "ko": "심볼릭 링크입니다",
        "en": "a symbolic link",
    },
    "file.not_regular": {
        "ko": "일반 파일이 아닙니다",
        "en": "not a regular file",
    },
    "file.too_large": {
        "ko": "파일이 너무 큽니다",
        "en": "the file is too large",
    },
    "file.unreadable": {
        "ko": "읽을 수 없습니다",
        "en": "unreadable",
    },
    "file.too_many": {
        "ko": "파일이 너무 많습니다",
        "en": "too many files",
    },
    "flag.kernel_died": {
        "ko": "커널이 스스로 종료되었습니다",
        "en": "the kernel exited before grading finished",
    },
    "test.rule_violated": {
        "ko": "규칙 위반으로 0점: {rule} ({where})",
        "en": "0 points, rule broken: {rule} ({where})",
    },
    "flag.similarity": {
        "ko": "교수자의 유사도 검토 대상입니다 (그 자체로 감점은 없습니다)",
        "en": "marked for the instructor's similarity review (no penalty by itself)",
    },
    "flag.implausible": {
        "ko": "검토 필요: {id}의 값 {value}이(가) 이 데이터에서 믿기 어려운 수준입니다 (기준 {limit})",
        "en": "review: {id} scored {value}, implausible for this data (beyond {limit})",
    },
    "penalty.late": {
        "ko": "지각 제출 ({days}일)",
        "en": "late submission ({days} days)",
    },
    "problem.infra_error": {
        "ko": "채점 시스템 오류입니다 (학생 책임 아님): {error}",
        "en": "grading infrastructure error (not your fault): {error}",
    },
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
    # -- Feedback issue body (final)
    "feedback.title": {
        "ko": "{title} 채점 결과",
        "en": "{title}: grading result",
    },
    "feedback.score": {
        "ko": "**점수: {score:g} / {max:g}**",
        "en": "**Score: {score:g} / {max:g}**",
    },
    "feedback.provisional": {
        "ko": "**잠정 점수**: 수동 채점 {pending:g}점이 아직 채점 대기 중입니다. 최종 점수는 바뀔 수 있습니다.",
        "en": "**Provisional score**: {pending:g} points of hand-graded answers are still pending. The final score may change.",
    },
    "feedback.review": {
        "ko": "**잠정 점수**: 수동 채점한 답안이 다시 제출되어 교수자가 다시 확인할 예정입니다.",
        "en": "**Provisional score**: a hand-graded answer changed since it was graded; the instructor will look at it again.",
    },
    "feedback.pending": {
        "ko": "{points:g}점 채점 대기",
        "en": "{points:g} points pending",
    },
    "feedback.extra": {
        "ko": "가산점 +{points:g}",
        "en": "extra credit +{points:g}",
    },
    "feedback.comments": {
        "ko": "### 채점자 의견",
        "en": "### Grader's comments",
    },
    "feedback.tests": {
        "ko": "### 테스트",
        "en": "### Tests",
    },
    "feedback.col": {
        "ko": "| 항목 | 결과 | 점수 | 설명 |\n|---|---|---|---|",
        "en": "| item | result | points | details |\n|---|---|---|---|",
    },
    "feedback.metrics": {
        "ko": "### 모델 성능 기준",
        "en": "### Model thresholds",
    },
    "feedback.penalties": {
        "ko": "### 감점",
        "en": "### Penalties",
    },
    "feedback.problems": {
        "ko": "### 알림",
        "en": "### Notes",
    },
    "feedback.error": {
        "ko": "채점 시스템 오류로 이 제출물은 아직 채점되지 않았습니다. 교수자가 다시 채점할 예정입니다.",
        "en": "A grading infrastructure error prevented grading this submission. The instructor will regrade it.",
    },
    "feedback.hidden": {
        "ko": "숨김",
        "en": "hidden",
    },
    "feedback.footer": {
        "ko": "_autograder가 자동으로 작성했습니다. 질문은 교수자에게 하세요._",
        "en": "_Written by autograder. Ask your instructor if anything is unclear._",
    },
    "feedback.status.passed": {
        "ko": "✅ 통과",
        "en": "✅ passed",
    },
    "feedback.status.failed": {
        "ko": "❌ 실패",
        "en": "❌ failed",
    },
    "feedback.status.error": {
        "ko": "❌ 오류",
        "en": "❌ error",
    },
    "feedback.status.timeout": {
        "ko": "⏱️ 시간 초과",
        "en": "⏱️ timeout",
    },
    "feedback.status.not_run": {
        "ko": "⏭️ 실행 안 됨",
        "en": "⏭️ not run",
    },
    "feedback.status.manual": {
        "ko": "📝 수동 채점",
        "en": "📝 manual",
    },
    "feedback.status.manual_graded": {
        "ko": "📝 채점 완료",
        "en": "📝 graded by hand",
    },
    "feedback.status.manual_review": {
        "ko": "📝 재확인 중",
        "en": "📝 to be reviewed",
    },
    "feedback.your": {
        "ko": "내 모델",
        "en": "your model",
    },
    "feedback.target": {
        "ko": "목표",
        "en": "target",
    },
    "feedback.floor": {
        "ko": "최소",
        "en": "floor",
    },
    "feedback.points": {
        "ko": "점",
        "en": "points",
    },
    "feedback.late": {
        "ko": "제출 시각: {when}",
        "en": "submitted at: {when}",
    },
    # -- Feedback before the deadline (check)
    "check.title": {
        "ko": "{title} 점검 결과 (마감 전)",
        "en": "{title}: check before the deadline",
    },
    "check.intro": {
        "ko": "마감 전 자동 점검입니다. 최종 점수는 마감 후 채점으로 정해집니다.",
        "en": "An automatic check before the deadline. The final score comes from grading after the deadline.",
    },
    "check.deadline": {
        "ko": "마감: {when}",
        "en": "Deadline: {when}",
    },
    "check.score": {
        "ko": "**현재 점수(잠정): {score:g} / {max:g}**",
        "en": "**Provisional score: {score:g} / {max:g}**",
    },
    "check.public": {
        "ko": "### 공개 테스트",
        "en": "### Public tests",
    },
    "check.hidden": {
        "ko": "### 숨김 테스트",
        "en": "### Hidden tests",
    },
    "check.count": {
        "ko": "{passed} / {total} 통과",
        "en": "{passed} / {total} passed",
    },
    "check.thresholds_hidden": {
        "ko": "모델 성능 기준 결과는 마감 후에 공개됩니다.",
        "en": "Model threshold results are shown after the deadline.",
    },
    "check.commit": {
        "ko": "점검한 커밋: `{sha}`",
        "en": "Checked commit: `{sha}`",
    },
    "check.next": {
        "ko": "다음 점검은 마지막 채점 후 {minutes:g}분이 지나야 합니다. 그 사이의 push는 모아서 한 번에 점검합니다.",
        "en": "The next check comes at least {minutes:g} minutes after the last one; pushes in between are checked together.",
    },
    # -- GitHub issue title, regrade comment
    "issue.title": {
        "ko": "[autograder] {week} 채점 결과",
        "en": "[autograder] {week} feedback",
    },
    "issue.regraded": {
        "ko": "재채점되어 위 피드백을 갱신했습니다.",
        "en": "Regraded: the feedback above has been updated.",
    },
    "issue.score": {
        "ko": "점수: {old} → {new}",
        "en": "Score: {old} → {new}",
    },
    "issue.truncated": {
        "ko": "\n\n…(피드백이 너무 길어 잘렸습니다. 전체 내용은 담당 교수자에게 문의하세요.)",
        "en": "\n\n…(feedback truncated; ask the instructor for the full text.)",
    },
    # -- Instructor reports
    "report.week_title": {
        "ko": "{title} 채점 보고서",
        "en": "{title}: grading report",
    },
    "report.course_title": {
        "ko": "{name} 전체 보고서",
        "en": "{name}: course report",
    },
    "report.days": {"ko": "{n}일", "en": "{n}d"},
    "report.hours": {"ko": "{n}시간", "en": "{n}h"},
    "report.minutes": {"ko": "{n}분", "en": "{n}m"},
    "report.generated": {
        "ko": "생성 시각",
        "en": "generated",
    },
    "report.deadline": {
        "ko": "마감",
        "en": "deadline",
    },
    "report.no_deadline": {
        "ko": "마감 없음",
        "en": "no deadline",
    },
    "report.summary": {
        "ko": "요약",
        "en": "Summary",
    },
    "report.students": {
        "ko": "학생",
        "en": "Students",
    },
    "report.student": {
        "ko": "학생",
        "en": "student",
    },
    "report.name": {
        "ko": "이름",
        "en": "name",
    },
    "report.section": {
        "ko": "분반",
        "en": "section",
    },
    "report.roster": {
        "ko": "명단 인원",
        "en": "on roster",
    },
    "report.collected": {
        "ko": "제출",
        "en": "collected",
    },
    "report.graded": {
        "ko": "채점",
        "en": "graded",
    },
    "report.errors": {
        "ko": "채점 오류",
        "en": "grading errors",
    },
    "report.missing": {
        "ko": "미제출",
        "en": "not submitted",
    },
    "report.late_count": {
        "ko": "지각",
        "en": "late",
    },
    "report.flagged_count": {
        "ko": "검토 필요",
        "en": "flagged",
    },
    "report.mean": {
        "ko": "평균",
        "en": "mean",
    },
    "report.median": {
        "ko": "중앙값",
        "en": "median",
    },
    "report.stdev": {
        "ko": "표준편차",
        "en": "std. dev.",
    },
    "report.min": {
        "ko": "최저",
        "en": "min",
    },
    "report.max": {
        "ko": "최고",
        "en": "max",
    },
    "report.max_score": {
        "ko": "만점",
        "en": "max score",
    },
    "report.score": {
        "ko": "점수",
        "en": "score",
    },
    "report.raw_score": {
        "ko": "원점수",
        "en": "raw score",
    },
    "report.penalty": {
        "ko": "감점",
        "en": "penalty",
    },
    "report.status": {
        "ko": "상태",
        "en": "status",
    },
    "report.submitted_at": {
        "ko": "제출 시각",
        "en": "submitted at",
    },
    "report.late": {
        "ko": "지각",
        "en": "late",
    },
    "report.runtime": {
        "ko": "실행 시간(초)",
        "en": "runtime (s)",
    },
    "report.problems": {
        "ko": "문제",
        "en": "problems",
    },
    "report.flags": {
        "ko": "플래그",
        "en": "flags",
    },
    "report.feedback": {
        "ko": "피드백",
        "en": "feedback",
    },
    "report.score_distribution": {
        "ko": "점수 분포",
        "en": "Score distribution",
    },
    "report.test_pass_rates": {
        "ko": "문항별 통과율",
        "en": "Pass rate per test",
    },
    "report.test": {
        "ko": "문항",
        "en": "test",
    },
    "report.hidden": {
        "ko": "숨김",
        "en": "hidden",
    },
    "report.points": {
        "ko": "배점",
        "en": "points",
    },
    "report.passed": {
        "ko": "통과",
        "en": "passed",
    },
    "report.pass_rate": {
        "ko": "통과율",
        "en": "pass rate",
    },
    "report.avg_points": {
        "ko": "평균 점수",
        "en": "mean points",
    },
    "report.thresholds": {
        "ko": "모델 성능 기준",
        "en": "Model thresholds",
    },
    "report.metric": {
        "ko": "지표",
        "en": "metric",
    },
    "report.target": {
        "ko": "목표",
        "en": "target",
    },
    "report.floor": {
        "ko": "최소",
        "en": "floor",
    },
    "report.reached_target": {
        "ko": "목표 달성",
        "en": "reached target",
    },
    "report.no_value": {
        "ko": "값 없음",
        "en": "no value",
    },
    "report.submission_times": {
        "ko": "제출 시각 (마감 기준)",
        "en": "Submission times vs deadline",
    },
    "report.hours_from_deadline": {
        "ko": "마감 기준 시간(시간)",
        "en": "hours relative to deadline",
    },
    "report.runtimes": {
        "ko": "제출물별 실행 시간",
        "en": "Runtime per submission",
    },
    "report.seconds": {
        "ko": "초",
        "en": "seconds",
    },
    "report.failures": {
        "ko": "실패 원인",
        "en": "Failures by reason",
    },
    "report.reason": {
        "ko": "원인",
        "en": "reason",
    },
    "report.count": {
        "ko": "건수",
        "en": "count",
    },
    "report.review": {
        "ko": "검토가 필요한 제출물",
        "en": "Submissions flagged for review",
    },
    "report.nothing_flagged": {
        "ko": "검토가 필요한 제출물이 없습니다.",
        "en": "Nothing flagged.",
    },
    "report.no_failures": {
        "ko": "실패한 제출물이 없습니다.",
        "en": "No failures.",
    },
    "report.leaderboard": {
        "ko": "순위표 (익명)",
        "en": "Leaderboard (anonymised)",
    },
    "report.rank": {
        "ko": "순위",
        "en": "rank",
    },
    "report.alias": {
        "ko": "별칭",
        "en": "alias",
    },
    "report.value": {
        "ko": "값",
        "en": "value",
    },
    "report.submissions": {
        "ko": "제출물",
        "en": "submissions",
    },
    "report.weeks": {
        "ko": "주차별 요약",
        "en": "Weeks",
    },
    "report.week": {
        "ko": "주차",
        "en": "week",
    },
    "report.title": {
        "ko": "제목",
        "en": "title",
    },
    "report.total": {
        "ko": "합계",
        "en": "total",
    },
    "report.gradebook": {
        "ko": "성적표",
        "en": "Gradebook",
    },
    "report.score_by_week": {
        "ko": "주차별 점수 (만점 대비 %)",
        "en": "Score by week (% of max)",
    },
    "report.percent": {
        "ko": "%",
        "en": "%",
    },
    "report.no_data": {
        "ko": "자료 없음",
        "en": "no data",
    },
    "report.font_fallback": {
        "ko": "한글 글꼴을 찾지 못해 그래프는 영어로 표시합니다 (fonts-nanum 또는 fonts-noto-cjk 설치).",
        "en": "No CJK font found; plot labels are in English (install fonts-nanum or fonts-noto-cjk).",
    },
    "report.students_count": {
        "ko": "학생 수",
        "en": "students",
    },
    "report.on_time": {
        "ko": "정시",
        "en": "on time",
    },
    "report.yes": {
        "ko": "예",
        "en": "yes",
    },
    "report.no": {
        "ko": "아니요",
        "en": "no",
    },
    "report.comments": {
        "ko": "채점자 의견",
        "en": "grader's comments",
    },
    "report.manual_grading": {
        "ko": "수동 채점",
        "en": "Hand grading",
    },
    "report.manual_graded": {
        "ko": "채점 완료",
        "en": "graded",
    },
    "report.manual_pending": {
        "ko": "채점 대기",
        "en": "pending",
    },
    "report.manual_review": {
        "ko": "재확인 필요",
        "en": "to review",
    },
    "report.provisional_count": {
        "ko": "잠정 점수",
        "en": "provisional scores",
    },
    "report.provisional": {
        "ko": "잠정",
        "en": "provisional",
    },
    "report.pending_points": {
        "ko": "{points}점 대기",
        "en": "{points} pts pending",
    },
    "report.manual_review_reason": {
        "ko": "{cell}: 수동 채점 후 답안이 바뀌었습니다",
        "en": "{cell}: answer changed since it was graded by hand",
    },
    "report.no_manual": {
        "ko": "수동 채점 문항이 없습니다.",
        "en": "No hand-graded cells.",
    },
    "report.reason_timeout": {
        "ko": "시간 초과",
        "en": "timeout",
    },
    "report.reason_memory": {
        "ko": "메모리 초과",
        "en": "memory limit",
    },
    "report.reason_kernel_died": {
        "ko": "커널 종료",
        "en": "kernel died",
    },
    "report.reason_damaged": {
        "ko": "손상된 노트북",
        "en": "damaged notebook",
    },
    "report.reason_missing_notebook": {
        "ko": "노트북 누락",
        "en": "missing notebook",
    },
    "report.reason_cell_modified": {
        "ko": "잠긴 셀 수정",
        "en": "locked cell modified",
    },
    "report.reason_output_truncated": {
        "ko": "출력 초과",
        "en": "output truncated",
    },
    "report.reason_infra_error": {
        "ko": "채점 시스템 오류",
        "en": "infrastructure error",
    },
    "report.reason_flagged": {
        "ko": "부정 의심 플래그",
        "en": "integrity flag",
    },
    "report.state_graded": {
        "ko": "채점됨",
        "en": "graded",
    },
    "report.state_error": {
        "ko": "오류",
        "en": "error",
    },
    "report.state_not_graded": {
        "ko": "미채점",
        "en": "not graded",
    },
    "report.state_missing": {
        "ko": "미제출",
        "en": "not submitted",
    },
    "report.fb_posted": {
        "ko": "게시됨",
        "en": "posted",
    },
    "report.fb_pending": {
        "ko": "대기",
        "en": "pending",
    },
    "report.fb_none": {
        "ko": "없음",
        "en": "none",
    },
    "report.fb_unknown": {
        "ko": "알 수 없음",
        "en": "n/a",
    },
    # -- Similarity report and command
    "similarity.title": {
        "ko": "유사도 검토",
        "en": "Similarity review",
    },
    "similarity.page_title": {
        "ko": "{week} 유사도 보고서",
        "en": "{week}: similarity report",
    },
    "similarity.intro": {
        "ko": "학생이 직접 쓴 코드(배포본의 코드는 제외)를 이름·주석·공백·함수 순서·셀 나눔과 무관하게 비교하고, 드문 출력(같은 학습 로그, 이미지, 오류 메시지, 지표 값)이 같은지도 봅니다. 점수 {threshold} 이상인 쌍은 검토 대상일 뿐 감점이 아닙니다. 허용/검토 완료 표시: autograder similarity {week} --allow A B",
        "en": "Compares the code students wrote themselves (the release's code removed) regardless of names, comments, whitespace, function order and cell splits, and looks for the same unusual outputs (training logs, images, error messages, metric values). Pairs scoring {threshold} or more are flagged for review, never penalised. Mark a pair: autograder similarity {week} --allow A B",
    },
    "similarity.students": {
        "ko": "비교한 제출물 {n}개, 쌍 {pairs}개",
        "en": "{n} submissions, {pairs} pairs",
    },
    "similarity.rank": {
        "ko": "순위",
        "en": "rank",
    },
    "similarity.student_a": {
        "ko": "학생 A",
        "en": "student A",
    },
    "similarity.student_b": {
        "ko": "학생 B",
        "en": "student B",
    },
    "similarity.score": {
        "ko": "점수",
        "en": "score",
    },
    "similarity.code": {
        "ko": "코드",
        "en": "code",
    },
    "similarity.outputs": {
        "ko": "출력",
        "en": "outputs",
    },
    "similarity.state": {
        "ko": "상태",
        "en": "state",
    },
    "similarity.state_flagged": {
        "ko": "검토 필요",
        "en": "flagged",
    },
    "similarity.state_allowed": {
        "ko": "허용됨",
        "en": "allowed",
    },
    "similarity.state_reviewed": {
        "ko": "검토 완료",
        "en": "reviewed",
    },
    "similarity.state_below": {
        "ko": "",
        "en": "",
    },
    "similarity.none_flagged": {
        "ko": "기준 이상인 쌍이 없습니다.",
        "en": "No pair reaches the threshold.",
    },
    "similarity.side_by_side": {
        "ko": "일치하는 코드",
        "en": "Matching code",
    },
    "similarity.no_code_match": {
        "ko": "드물게 일치하는 코드가 없습니다 (출력만 일치).",
        "en": "No rare matching code (outputs only).",
    },
    "similarity.shared_outputs": {
        "ko": "함께 나온 드문 출력",
        "en": "Unusual outputs in both",
    },
    "similarity.kind_output": {
        "ko": "출력",
        "en": "output",
    },
    "similarity.kind_image": {
        "ko": "이미지",
        "en": "image",
    },
    "similarity.kind_error": {
        "ko": "오류",
        "en": "error",
    },
    "similarity.kind_metric": {
        "ko": "지표 값",
        "en": "metric value",
    },
    "similarity.kind_predictions": {
        "ko": "예측 전체",
        "en": "all predictions",
    },
    "similarity.kind_prediction": {
        "ko": "드문 예측",
        "en": "unusual prediction",
    },
    "similarity.note": {
        "ko": "메모",
        "en": "note",
    },
    "similarity.marked": {
        "ko": "{a} ↔ {b}: {state}",
        "en": "{a} ↔ {b}: {state}",
    },
    "similarity.unmarked": {
        "ko": "{a} ↔ {b}: 표시 지움",
        "en": "{a} ↔ {b}: mark removed",
    },
    "similarity.flags_changed": {
        "ko": "검토 플래그를 고친 결과 {n}개",
        "en": "review flag changed in {n} results",
    },
    "similarity.not_released": {
        "ko": "경고: {path}에 배포본이 없어 배포 코드(뼈대)를 빼지 못했습니다. 먼저 autograder release {week}",
        "en": "warning: no release in {path}, so the release's skeleton is not removed; run autograder release {week}",
    },
    "similarity.written": {
        "ko": "보고서: {path}",
        "en": "report: {path}",
    },
}
