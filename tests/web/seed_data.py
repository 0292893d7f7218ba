"""What the review page tests store and look for: hostile markup, a queued article, and
where screenshots go."""

from __future__ import annotations

from tests.conftest import REPO_DIR

ARTIFACTS_DIR = REPO_DIR / "test-artifacts"
XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_IMG = '<img src=x onerror="window.__xss=2">'
XSS_TEXT = (
    f"عنوان تجريبي {XSS_SCRIPT}\n\n"
    f"قال الوزير إن الحكومة ستدعم المزارعين {XSS_IMG} في الموسم المقبل.\n\n"
    "وأضاف أن الخطة تشمل جميع المحافظات."
)
PENDING_TEXT = "مقال ينتظر دوره\n\nقال المتحدث إن الاجتماع سيعقد غدا في العاصمة."
