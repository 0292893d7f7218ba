"""The service's errors, and where every error class of the project lives.

The domain's own errors are defined here; the others sit beside the layer that raises
them, because they carry that layer's meaning (an HTTP status, a model's files):

    Exception
    ├── EditError                       a reviewer's correction cannot be applied (here)
    │   ├── ArticleNotFoundError            no article with that id            -> 404
    │   ├── ArticleNotDoneError             no finished translation to correct -> 409
    │   └── SentenceNotFoundError           no sentence at that index          -> 404
    ├── models.errors.ModelError        installing, converting or evaluating a model
    │   └── ...                             (the tree is drawn in models/errors.py)
    ├── ValueError
    │   └── models.card.ModelCardError  an installed model's card is invalid
    ├── RuntimeError
    │   └── cli.localstack.LocalStackError  a local Redis or worker would not start
    ├── service.app.web.pages.LoginRequiredError  a review page needs a login (redirect)
    └── starlette HTTPException         answered as it says, by the HTTP app
        ├── service.app.auth.NotAuthenticatedError        401
        ├── service.app.body_limit.BodyTooLargeError      413
        ├── service.app.rate_limit.RateLimitedError       429 with Retry-After
        └── service.app.api.batches.BatchIngestError      a batch body that cannot be read

The HTTP app maps the domain's errors to statuses (`service.app.api.edits`); a job that
fails stores the error's text on the article instead of raising it further.
"""

from __future__ import annotations


class EditError(Exception):
    """A correction that cannot be applied. Subclasses say why."""


class ArticleNotFoundError(EditError):
    """No article with that id."""


class ArticleNotDoneError(EditError):
    """The article has no finished translation to correct yet."""


class SentenceNotFoundError(EditError):
    """The article has no sentence at that paragraph and sentence index."""
